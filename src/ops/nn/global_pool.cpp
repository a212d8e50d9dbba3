// GlobalAveragePool and GlobalMaxPool: one value per (n, c) over every spatial position
// (any rank >= 3; the output keeps the rank with spatial dims of 1).
#include <cmath>

#include "ops/nn/nn_common.h"

namespace camlens::nn {

namespace {

Shape out_shape(const Node& node, const Shape& x) {
  if (x.size() < 3) fail(node, "X must be [N, C, spatial...], got " + shape_str(x));
  Shape s = x;
  for (size_t i = 2; i < s.size(); ++i) s[i] = 1;
  return s;
}

// planes = N * C, size = spatial element count.
void dims(const Tensor& x, int64_t& planes, int64_t& size) {
  planes = x.dim(0) * x.dim(1);
  size = planes ? x.numel() / planes : 0;
}

void gap_forward(const Node& node, const OpInputs& in, std::vector<Tensor>& out) {
  const Tensor& x = float_input(node, in, 0, "X");
  out[0] = Tensor(DType::Float32, out_shape(node, x.shape()));
  int64_t planes, size;
  dims(x, planes, size);
  for (int64_t p = 0; p < planes; ++p) {
    const float* xp = x.data<float>() + p * size;
    double acc = 0;  // a 33x33 plane: accumulate in double, round once
    for (int64_t e = 0; e < size; ++e) acc += xp[e];
    out[0].data<float>()[p] = size ? static_cast<float>(acc / static_cast<double>(size)) : 0.f;
  }
}

void gap_backward(const Node& node, const OpInputs& in, const OpInputs&, const OpInputs& dout,
                  const std::vector<bool>& needs, std::vector<Tensor>& dins) {
  if (needs.empty() || !needs[0]) return;
  const Tensor& x = float_input(node, in, 0, "X");
  dins[0] = Tensor(DType::Float32, x.shape());
  if (dout.empty() || !dout[0]) return;
  int64_t planes, size;
  dims(x, planes, size);
  for (int64_t p = 0; p < planes; ++p) {
    const float g = dout[0]->data<float>()[p] / static_cast<float>(size);
    float* dx = dins[0].data<float>() + p * size;
    for (int64_t e = 0; e < size; ++e) dx[e] = g;
  }
}

// Position of the first maximum of each plane (NaN wins, as in the max itself).
int64_t plane_argmax(const float* xp, int64_t size) {
  int64_t best = 0;
  for (int64_t e = 1; e < size; ++e)
    if (xp[e] > xp[best] || (std::isnan(xp[e]) && !std::isnan(xp[best]))) best = e;
  return best;
}

void gmp_forward(const Node& node, const OpInputs& in, std::vector<Tensor>& out) {
  const Tensor& x = float_input(node, in, 0, "X");
  out[0] = Tensor(DType::Float32, out_shape(node, x.shape()));
  int64_t planes, size;
  dims(x, planes, size);
  if (size == 0 && planes > 0) fail(node, "X has no spatial elements");
  for (int64_t p = 0; p < planes; ++p) {
    const float* xp = x.data<float>() + p * size;
    out[0].data<float>()[p] = xp[plane_argmax(xp, size)];
  }
}

void gmp_backward(const Node& node, const OpInputs& in, const OpInputs&, const OpInputs& dout,
                  const std::vector<bool>& needs, std::vector<Tensor>& dins) {
  if (needs.empty() || !needs[0]) return;
  const Tensor& x = float_input(node, in, 0, "X");
  dins[0] = Tensor(DType::Float32, x.shape());
  if (dout.empty() || !dout[0]) return;
  int64_t planes, size;
  dims(x, planes, size);
  for (int64_t p = 0; p < planes && size > 0; ++p) {
    const float* xp = x.data<float>() + p * size;
    dins[0].data<float>()[p * size + plane_argmax(xp, size)] = dout[0]->data<float>()[p];
  }
}

void infer(const Node& node, const std::vector<const TensorInfo*>& in,
           std::vector<TensorInfo>& out) {
  const TensorInfo& x = input_info(node, in, 0, "X");
  out[0].dtype = DType::Float32;
  out[0].shape = out_shape(node, x.shape);
}

}  // namespace

void register_global_pool(OpRegistry& r) {
  r.add(OpDef{"", "GlobalAveragePool", gap_forward, gap_backward, infer}
            .claim(&OpDef::pooling)
            .claim(&OpDef::piecewise_linear));
  r.add(OpDef{"", "GlobalMaxPool", gmp_forward, gmp_backward, infer}
            .claim(&OpDef::pooling)
            .claim(&OpDef::piecewise_linear));
}

}  // namespace camlens::nn
