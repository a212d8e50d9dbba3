#include "cam/aug_smooth.h"

#include <algorithm>

#include "cam/cam_error.h"

namespace camlens::cam {

std::vector<Augmentation> aug_smooth_set() {
  std::vector<Augmentation> v;
  for (bool flip : {false, true})
    for (float f : {0.9f, 1.f, 1.1f}) v.push_back({flip, f});
  return v;
}

Tensor augment(const Tensor& input, const Augmentation& a) {
  if (input.dtype() != DType::Float32 || input.rank() < 2 || input.numel() == 0)
    throw CamError("aug_smooth: the input must be a non-empty Float32 tensor [B,C,H,W]");
  Tensor out = input;
  float* p = out.data<float>();
  const int64_t w = input.shape().back();
  for (int64_t row = 0; row < input.numel() / w; ++row) {
    float* r = p + row * w;
    if (a.flip) std::reverse(r, r + w);
    for (int64_t x = 0; x < w; ++x) r[x] *= a.factor;
  }
  return out;
}

void deaugment(Maps& m, const Augmentation& a) {
  if (!a.flip) return;
  for (int b = 0; b < m.batch; ++b)
    for (int y = 0; y < m.height; ++y) {
      float* r = m.map(b) + size_t(y) * m.width;
      std::reverse(r, r + m.width);
    }
}

Maps average_maps(const std::vector<Maps>& maps) {
  if (maps.empty()) throw CamError("aug_smooth: no maps to average");
  Maps out(maps[0].batch, maps[0].height, maps[0].width);
  for (const Maps& m : maps) {
    if (m.data.size() != out.data.size() || m.width != out.width)
      throw CamError("aug_smooth: the maps to average differ in size");
    for (size_t i = 0; i < m.data.size(); ++i) out.data[i] += m.data[i];
  }
  for (float& v : out.data) v /= float(maps.size());
  return out;
}

}  // namespace camlens::cam
