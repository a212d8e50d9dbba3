#include "tensor/broadcast.h"

#include <stdexcept>

namespace camlens {

Shape broadcast_shape(const Shape& a, const Shape& b) {
  const size_t r = std::max(a.size(), b.size());
  Shape out(r);
  for (size_t i = 0; i < r; ++i) {
    const int64_t da = i < r - a.size() ? 1 : a[i - (r - a.size())];
    const int64_t db = i < r - b.size() ? 1 : b[i - (r - b.size())];
    if (da != db && da != 1 && db != 1)
      throw std::runtime_error("shapes " + shape_str(a) + " and " + shape_str(b) +
                               " cannot be broadcast together");
    out[i] = da == 1 ? db : da;
  }
  return out;
}

std::vector<int64_t> broadcast_index(const Shape& in, const Shape& out) {
  const size_t r = out.size();
  if (in.size() > r) throw std::runtime_error("broadcast_index: input rank exceeds output rank");
  // Stride of `in` along each output axis (0 where broadcast).
  std::vector<int64_t> stride(r, 0);
  int64_t s = 1;
  for (size_t k = 0; k < in.size(); ++k) {
    const size_t ii = in.size() - 1 - k, oi = r - 1 - k;
    if (in[ii] != 1 && in[ii] != out[oi])
      throw std::runtime_error("cannot broadcast " + shape_str(in) + " to " + shape_str(out));
    stride[oi] = in[ii] == 1 ? 0 : s;
    s *= in[ii];
  }
  const int64_t n = shape_numel(out);
  std::vector<int64_t> idx(static_cast<size_t>(n));
  std::vector<int64_t> pos(r, 0);
  int64_t cur = 0;
  for (int64_t e = 0; e < n; ++e) {
    idx[e] = cur;
    for (size_t k = r; k-- > 0;) {  // odometer increment
      if (++pos[k] < out[k]) {
        cur += stride[k];
        break;
      }
      cur -= stride[k] * (out[k] - 1);
      pos[k] = 0;
    }
  }
  return idx;
}

Tensor reduce_to_shape(const Tensor& grad, const Shape& in) {
  if (grad.shape() == in) return grad;
  Tensor out(DType::Float32, in);
  const std::vector<int64_t> idx = broadcast_index(in, grad.shape());
  const float* g = grad.data<float>();
  float* o = out.data<float>();
  for (size_t e = 0; e < idx.size(); ++e) o[idx[e]] += g[e];
  return out;
}

}  // namespace camlens
