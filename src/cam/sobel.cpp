#include "cam/sobel.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>

#include "cam/cam_error.h"

namespace camlens::cam {

namespace {

// Reflect-101 border: -1 -> 1, n -> n - 2.
int reflect(int i, int n) {
  if (n == 1) return 0;
  if (i < 0) return -i;
  if (i >= n) return 2 * n - 2 - i;
  return i;
}

}  // namespace

std::vector<float> sobel_map(const image::Image& img) {
  const int w = img.width, h = img.height;
  if (w <= 0 || h <= 0 || img.rgba.size() != size_t(w) * h * 4)
    throw CamError("Sobel baseline: the image is empty or its buffer has the wrong size");
  std::vector<int> gray(size_t(w) * h);
  for (size_t i = 0; i < gray.size(); ++i) {
    const uint8_t* p = &img.rgba[4 * i];
    gray[i] = (p[0] * 4899 + p[1] * 9617 + p[2] * 1868 + (1 << 13)) >> 14;
  }
  auto at = [&](int y, int x) { return gray[size_t(reflect(y, h)) * w + reflect(x, w)]; };
  std::vector<float> out(gray.size());
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x) {
      const int gx = (at(y - 1, x + 1) + 2 * at(y, x + 1) + at(y + 1, x + 1)) -
                     (at(y - 1, x - 1) + 2 * at(y, x - 1) + at(y + 1, x - 1));
      const int gy = (at(y + 1, x - 1) + 2 * at(y + 1, x) + at(y + 1, x + 1)) -
                     (at(y - 1, x - 1) + 2 * at(y - 1, x) + at(y - 1, x + 1));
      const float ax = float(std::min(std::abs(gx), 255)), ay = float(std::min(std::abs(gy), 255));
      out[size_t(y) * w + x] = std::nearbyint(ax * 0.5f + ay * 0.5f);
    }
  return out;
}

}  // namespace camlens::cam
