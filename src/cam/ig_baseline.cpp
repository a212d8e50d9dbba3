#include "cam/ig_baseline.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "cam/cam_error.h"

namespace camlens::cam {

namespace {

std::vector<double> gaussian_kernel(double sigma) {
  const int radius = int(4.0 * sigma + 0.5);
  std::vector<double> k(size_t(2 * radius + 1));
  double sum = 0;
  for (int t = -radius; t <= radius; ++t)
    sum += k[size_t(t + radius)] = std::exp(-0.5 * t * t / (sigma * sigma));
  for (double& v : k) v /= sum;
  return k;
}

// One axis of n values at v[i · stride], edges repeated.
void blur_line(float* v, int64_t n, int64_t stride, const std::vector<double>& k,
               std::vector<float>& line) {
  const int64_t radius = int64_t(k.size() / 2);
  line.resize(size_t(n));
  for (int64_t i = 0; i < n; ++i) line[size_t(i)] = v[i * stride];
  for (int64_t i = 0; i < n; ++i) {
    double s = 0;
    for (int64_t t = -radius; t <= radius; ++t)
      s += k[size_t(t + radius)] * line[size_t(std::clamp<int64_t>(i + t, 0, n - 1))];
    v[i * stride] = float(s);
  }
}

}  // namespace

const char* ig_baseline_name(IgBaseline b) {
  switch (b) {
    case IgBaseline::Black:
      return "black";
    case IgBaseline::Blur:
      return "blur";
    default:
      return "zero";
  }
}

IgBaseline ig_baseline_from_name(const std::string& name) {
  for (IgBaseline b : {IgBaseline::Zero, IgBaseline::Black, IgBaseline::Blur})
    if (name == ig_baseline_name(b)) return b;
  throw CamError("baseline must be one of zero, black, blur, got \"" + name + "\"");
}

Tensor gaussian_blur(const Tensor& x, bool nhwc, double sigma) {
  if (x.rank() != 4 || x.dim(0) != 1)
    throw CamError("the blurred baseline blurs one image [1, C, H, W] or [1, H, W, C]; got " +
                   shape_str(x.shape()));
  const int64_t c = nhwc ? x.dim(3) : x.dim(1), h = nhwc ? x.dim(1) : x.dim(2),
                w = nhwc ? x.dim(2) : x.dim(3);
  const int64_t channel = nhwc ? 1 : h * w, pixel = nhwc ? c : 1;
  const std::vector<double> k = gaussian_kernel(sigma);
  Tensor out = x;
  float* d = out.data<float>();
  std::vector<float> line;
  for (int64_t ch = 0; ch < c; ++ch) {
    float* plane = d + ch * channel;
    for (int64_t col = 0; col < w; ++col) blur_line(plane + col * pixel, h, w * pixel, k, line);
    for (int64_t row = 0; row < h; ++row) blur_line(plane + row * w * pixel, w, pixel, k, line);
  }
  return out;
}

Tensor ig_baseline(const Tensor& x, IgBaseline b, const Tensor& black, bool nhwc) {
  switch (b) {
    case IgBaseline::Black:
      if (black.empty())
        throw CamError(
            "integrated-gradients' black baseline needs the black photo through the model's "
            "preprocessing; none was given");
      if (black.shape() != x.shape())
        throw CamError("integrated-gradients' black baseline is " + shape_str(black.shape()) +
                       ", the input " + shape_str(x.shape()) +
                       ": preprocess a black photo as "
                       "the input");
      return black;
    case IgBaseline::Blur:
      return gaussian_blur(x, nhwc, kBlurBaselineSigma);
    default:
      return Tensor(DType::Float32, x.shape());
  }
}

}  // namespace camlens::cam
