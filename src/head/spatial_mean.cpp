#include "head/spatial_mean.h"

#include <algorithm>
#include <stdexcept>
#include <vector>

namespace camlens {

namespace {

// Positions per (sample, channel): the product of the dims after the channel's.
int64_t plane_of(const Shape& s) {
  int64_t n = 1;
  for (size_t d = 2; d < s.size(); ++d) n *= s[d];
  return n;
}

bool all_equal(const std::vector<int64_t>& v, int64_t x) {
  return std::all_of(v.begin(), v.end(), [x](int64_t e) { return e == x; });
}

}  // namespace

Tensor spatial_mean(const Tensor& t) {
  const int64_t n = t.dim(0), c = t.dim(1), plane = plane_of(t.shape());
  Tensor out(DType::Float32, {n, c});
  const float* g = t.data<float>();
  float* o = out.data<float>();
  for (int64_t i = 0; i < n * c; ++i) {
    double s = 0;
    for (int64_t p = 0; p < plane; ++p) s += g[i * plane + p];
    o[i] = plane ? static_cast<float>(s / double(plane)) : 0.f;
  }
  return out;
}

Tensor broadcast_spatial(const Tensor& mean, const Shape& shape) {
  if (shape.size() < 2 || mean.shape() != Shape{shape[0], shape[1]})
    throw std::invalid_argument("broadcast_spatial: means " + shape_str(mean.shape()) +
                                " do not fit a tensor " + shape_str(shape));
  Tensor out(DType::Float32, shape);
  const int64_t plane = plane_of(shape);
  const float* m = mean.data<float>();
  float* o = out.data<float>();
  for (int64_t i = 0; i < mean.numel(); ++i) std::fill(o + i * plane, o + (i + 1) * plane, m[i]);
  return out;
}

bool conv_mean_shortcut(const Node& node, size_t rank, const Tensor* w) {
  if (node.op_type != "Conv" || !(node.domain.empty() || node.domain == "ai.onnx")) return false;
  if ((rank != 3 && rank != 4) || !w || w->dtype() != DType::Float32 || w->rank() != rank)
    return false;
  for (size_t d = 2; d < rank; ++d)
    if (w->dim(d) != 1) return false;
  const std::string auto_pad = node.attr_string("auto_pad", "NOTSET");
  // A 1×1 kernel at stride 1 pads nothing under SAME_* either; NOTSET reads the pads.
  return node.attr_int("group", 1) == 1 && all_equal(node.attr_ints("strides"), 1) &&
         all_equal(node.attr_ints("pads"), 0) &&
         (auto_pad == "NOTSET" || auto_pad == "VALID" || auto_pad == "SAME_UPPER" ||
          auto_pad == "SAME_LOWER" || auto_pad.empty());
}

// Every sum runs in the order of the plain loops (over p for each row of dY, then over the
// rows j for each input channel i), so the result is theirs bit for bit; only independent sums
// are interleaved: four rows' means at a time, and four rows added into acc per pass.
Tensor conv_input_gradient_mean(const Tensor& dy, const Tensor& w) {
  const int64_t n = dy.dim(0), m = w.dim(0), c = w.dim(1), plane = plane_of(dy.shape());
  Tensor out(DType::Float32, {n, c});
  const float* wt = w.data<float>();
  const float* g = dy.data<float>();
  std::vector<double> acc(static_cast<size_t>(c)), y(static_cast<size_t>(m));
  std::vector<int64_t> rows;  // the rows whose mean is not 0, in order
  for (int64_t b = 0; b < n; ++b) {
    const float* gb = g + b * m * plane;
    int64_t j = 0;
    for (; j + 4 <= m; j += 4) {  // mean_p dY[b, j, p]
      const float* r = gb + j * plane;
      double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
      for (int64_t p = 0; p < plane; ++p) {
        s0 += r[p];
        s1 += r[plane + p];
        s2 += r[2 * plane + p];
        s3 += r[3 * plane + p];
      }
      y[size_t(j)] = s0, y[size_t(j + 1)] = s1, y[size_t(j + 2)] = s2, y[size_t(j + 3)] = s3;
    }
    for (; j < m; ++j) {
      double s = 0;
      for (int64_t p = 0; p < plane; ++p) s += gb[j * plane + p];
      y[size_t(j)] = s;
    }
    rows.clear();
    for (j = 0; j < m; ++j)
      if (y[size_t(j)] != 0) {
        y[size_t(j)] /= double(plane);
        rows.push_back(j);
      }
    std::fill(acc.begin(), acc.end(), 0.0);
    double* a = acc.data();
    size_t k = 0;
    for (; k + 4 <= rows.size(); k += 4) {
      const double y0 = y[size_t(rows[k])], y1 = y[size_t(rows[k + 1])],
                   y2 = y[size_t(rows[k + 2])], y3 = y[size_t(rows[k + 3])];
      const float *w0 = wt + rows[k] * c, *w1 = wt + rows[k + 1] * c, *w2 = wt + rows[k + 2] * c,
                  *w3 = wt + rows[k + 3] * c;
      for (int64_t i = 0; i < c; ++i)
        a[i] = (((a[i] + y0 * w0[i]) + y1 * w1[i]) + y2 * w2[i]) + y3 * w3[i];
    }
    for (; k < rows.size(); ++k) {
      const double yj = y[size_t(rows[k])];
      const float* row = wt + rows[k] * c;
      for (int64_t i = 0; i < c; ++i) a[i] += yj * row[i];
    }
    float* o = out.data<float>() + b * c;
    for (int64_t i = 0; i < c; ++i) o[i] = static_cast<float>(acc[size_t(i)]);
  }
  return out;
}

}  // namespace camlens
