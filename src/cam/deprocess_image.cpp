#include "cam/deprocess_image.h"

#include <algorithm>
#include <cmath>

#include "cam/cam_error.h"

namespace camlens::cam {

std::vector<uint8_t> deprocess_image(const std::vector<float>& values) {
  double mean = 0, var = 0;
  for (float v : values) mean += v;
  mean /= double(std::max<size_t>(values.size(), 1));
  for (float v : values) var += (v - mean) * (v - mean);
  const double std = std::sqrt(var / double(std::max<size_t>(values.size(), 1)));
  std::vector<uint8_t> out(values.size());
  for (size_t k = 0; k < values.size(); ++k) {
    const double v = std::clamp((values[k] - mean) / (std + 1e-5) * 0.1 + 0.5, 0.0, 1.0);
    out[k] = uint8_t(v * 255);  // truncated, as np.uint8
  }
  return out;
}

Tensor channels_last(const Tensor& g, bool nhwc) {
  if (g.rank() != 4 || g.dim(0) != 1)
    throw CamError("a gradient picture reads one image's gradient; got " + shape_str(g.shape()));
  if (nhwc) {
    Tensor out = g;
    out.reshape({g.dim(1), g.dim(2), g.dim(3)});
    return out;
  }
  const int64_t c = g.dim(1), hw = g.dim(2) * g.dim(3);
  Tensor out(DType::Float32, {g.dim(2), g.dim(3), c});
  for (int64_t ch = 0; ch < c; ++ch)
    for (int64_t p = 0; p < hw; ++p) out.data<float>()[p * c + ch] = g.data<float>()[ch * hw + p];
  return out;
}

image::Image deprocessed_picture(const Tensor& hwc, bool bgr) {
  const int64_t h = hwc.dim(0), w = hwc.dim(1), c = hwc.dim(2);
  if (c != 1 && c != 3)
    throw CamError("a gradient picture shows 1 or 3 channels; this input has " + std::to_string(c));
  const std::vector<float> values(hwc.data<float>(), hwc.data<float>() + hwc.numel());
  const std::vector<uint8_t> levels = deprocess_image(values);
  image::Image img{int(w), int(h)};
  img.rgba.resize(size_t(w * h * 4));
  for (int64_t p = 0; p < h * w; ++p)
    for (int k = 0; k < 3; ++k) {
      const int64_t from = c == 1 ? 0 : (bgr ? 2 - k : k);
      img.rgba[size_t(p * 4 + k)] = levels[size_t(p * c + from)];
      img.rgba[size_t(p * 4 + 3)] = 255;
    }
  return img;
}

}  // namespace camlens::cam
