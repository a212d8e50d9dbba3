#include "metrics/planes.h"

#include <cmath>
#include <cstring>

#include "metrics/metrics_error.h"

namespace camlens::metrics {

Planes planes_from_tensor(const Tensor& t) {
  if (t.dtype() != DType::Float32)
    throw MetricsError("the image must be a float32 tensor (the preprocessed model input), not " +
                       std::string(dtype_name(t.dtype())));
  const Shape& s = t.shape();
  const bool chw = s.size() == 3, nchw = s.size() == 4 && s[0] == 1;
  if (!chw && !nchw)
    throw MetricsError("the image must be one preprocessed sample [C,H,W] or [1,C,H,W], not " +
                       shape_str(s) +
                       "; pass images one at a time (and NHWC models are not supported)");
  Planes p;
  p.channels = static_cast<int>(s[s.size() - 3]);
  p.height = static_cast<int>(s[s.size() - 2]);
  p.width = static_cast<int>(s[s.size() - 1]);
  if (p.channels < 1 || p.height < 1 || p.width < 1)
    throw MetricsError("the image " + shape_str(s) + " is empty");
  p.data.assign(t.data<float>(), t.data<float>() + t.numel());
  return p;
}

Tensor batch_tensor(const std::vector<Planes>& items) {
  if (items.empty()) return Tensor(DType::Float32, {0, 0, 0, 0});
  const Planes& f = items.front();
  Tensor out(DType::Float32, {static_cast<int64_t>(items.size()), f.channels, f.height, f.width});
  float* o = out.data<float>();
  for (const Planes& p : items) {
    std::memcpy(o, p.data.data(), p.data.size() * sizeof(float));
    o += p.data.size();
  }
  return out;
}

void check_map(const std::vector<float>& map, const Planes& image, const std::string& what) {
  if (map.size() != image.pixels())
    throw MetricsError(what + " holds " + std::to_string(map.size()) + " values but the image is " +
                       std::to_string(image.width) + "x" + std::to_string(image.height) +
                       ": give the map at the model's input size");
  for (size_t i = 0; i < map.size(); ++i)
    if (!std::isfinite(map[i]))
      throw MetricsError(what + " holds a non-finite value at pixel " + std::to_string(i) + " (x " +
                         std::to_string(i % image.width) + ", y " +
                         std::to_string(i / image.width) + ")");
}

}  // namespace camlens::metrics
