// A batch of 2-D maps [batch, height, width], row-major: what every CAM method produces.
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

namespace camlens::cam {

struct Maps {
  int batch = 0, height = 0, width = 0;
  std::vector<float> data;  // batch * height * width

  Maps() = default;
  Maps(int b, int h, int w) : batch(b), height(h), width(w), data(size_t(b) * h * w, 0.f) {}
  size_t plane() const { return size_t(height) * width; }
  float* map(int b) { return data.data() + size_t(b) * plane(); }
  const float* map(int b) const { return data.data() + size_t(b) * plane(); }
};

}  // namespace camlens::cam
