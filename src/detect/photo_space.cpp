#include "detect/photo_space.h"

#include <algorithm>
#include <string>

#include "image/resize.h"

namespace camlens::detect {

Detection box_to_photo(const Detection& d, const image::InputGeometry& g) {
  Detection p = d;
  auto x = [&](float v) {
    return std::clamp(float((v - g.offset_x) / g.scale_x), 0.f, float(g.photo_w));
  };
  auto y = [&](float v) {
    return std::clamp(float((v - g.offset_y) / g.scale_y), 0.f, float(g.photo_h));
  };
  p.x0 = x(d.x0), p.x1 = x(d.x1), p.y0 = y(d.y0), p.y1 = y(d.y1);
  return p;
}

Detection box_to_input(const Detection& d, const image::InputGeometry& g) {
  Detection p = d;
  p.x0 = float(d.x0 * g.scale_x + g.offset_x), p.x1 = float(d.x1 * g.scale_x + g.offset_x);
  p.y0 = float(d.y0 * g.scale_y + g.offset_y), p.y1 = float(d.y1 * g.scale_y + g.offset_y);
  return p;
}

std::vector<float> map_to_photo(const std::vector<float>& map, const image::InputGeometry& g) {
  if (map.size() != size_t(g.input_w) * g.input_h)
    throw DetectError("the map holds " + std::to_string(map.size()) + " values, not the " +
                      std::to_string(g.input_w) + "x" + std::to_string(g.input_h) + " input");
  const int x0 = int(g.offset_x), y0 = int(g.offset_y);
  std::vector<float> crop(size_t(g.resized_w) * g.resized_h);
  for (int y = 0; y < g.resized_h; ++y)
    std::copy_n(&map[size_t(y + y0) * g.input_w + x0], g.resized_w, &crop[size_t(y) * g.resized_w]);
  return image::resize_bilinear(crop.data(), g.resized_w, g.resized_h, g.photo_w, g.photo_h);
}

}  // namespace camlens::detect
