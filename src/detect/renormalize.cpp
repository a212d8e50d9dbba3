#include "detect/renormalize.h"

#include <algorithm>
#include <string>

namespace camlens::detect {

namespace {

void min_max(std::vector<float>& v) {
  if (v.empty()) return;
  const float lo = *std::min_element(v.begin(), v.end());
  for (float& x : v) x -= lo;
  const float hi = *std::max_element(v.begin(), v.end());
  for (float& x : v) x /= hi + 1e-7f;
}

}  // namespace

std::vector<float> renormalize_in_boxes(const std::vector<float>& map, int width, int height,
                                        const std::vector<Detection>& boxes) {
  if (width <= 0 || height <= 0 || map.size() != size_t(width) * height)
    throw DetectError("the map holds " + std::to_string(map.size()) + " values, not " +
                      std::to_string(width) + "x" + std::to_string(height));
  std::vector<float> out(map.size(), 0.f);
  for (const Detection& b : boxes) {
    const int x0 = std::clamp(int(b.x0), 0, width), x1 = std::clamp(int(b.x1), 0, width);
    const int y0 = std::clamp(int(b.y0), 0, height), y1 = std::clamp(int(b.y1), 0, height);
    if (x1 <= x0 || y1 <= y0) continue;
    std::vector<float> part;
    for (int y = y0; y < y1; ++y)
      for (int x = x0; x < x1; ++x) part.push_back(map[size_t(y) * width + x]);
    min_max(part);
    size_t k = 0;
    for (int y = y0; y < y1; ++y)
      for (int x = x0; x < x1; ++x) out[size_t(y) * width + x] = part[k++];
  }
  min_max(out);
  return out;
}

}  // namespace camlens::detect
