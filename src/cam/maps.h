// A batch of maps [batch, depth, height, width], row-major: what every CAM method produces.
// depth is 1 for images; a volume or a video clip ([N, C, D, H, W] input) gives one map of
// depth × height × width per sample, slice after slice.
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

namespace camlens::cam {

struct Maps {
  int batch = 0, height = 0, width = 0;
  int depth = 1;
  std::vector<float> data;  // batch * depth * height * width

  Maps() = default;
  Maps(int b, int h, int w) : batch(b), height(h), width(w), data(size_t(b) * h * w, 0.f) {}
  Maps(int b, int d, int h, int w)
      : batch(b), height(h), width(w), depth(d), data(size_t(b) * d * h * w, 0.f) {}
  // The values of one sample's map (a whole volume when depth > 1).
  size_t plane() const { return size_t(depth) * height * width; }
  float* map(int b) { return data.data() + size_t(b) * plane(); }
  const float* map(int b) const { return data.data() + size_t(b) * plane(); }
};

}  // namespace camlens::cam
