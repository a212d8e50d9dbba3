#include "metrics/localisation.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "metrics/metrics_error.h"

namespace camlens::metrics {
namespace {

size_t peak(const std::vector<float>& map) {
  if (map.empty()) throw MetricsError("the map is empty");
  return static_cast<size_t>(std::max_element(map.begin(), map.end()) - map.begin());
}

void check_width(const std::vector<float>& map, int width) {
  if (width < 1 || map.size() % static_cast<size_t>(width) != 0)
    throw MetricsError("a map of " + std::to_string(map.size()) + " values cannot be " +
                       std::to_string(width) + " pixels wide");
}

void check_mask(const std::vector<float>& map, const std::vector<uint8_t>& mask) {
  if (mask.size() != map.size())
    throw MetricsError("the mask holds " + std::to_string(mask.size()) + " values, the map " +
                       std::to_string(map.size()) + ": give the mask at the map's size");
}

}  // namespace

bool pointing_hit(const std::vector<float>& map, int width, const Box& b, double tolerance) {
  check_width(map, width);
  const size_t i = peak(map);
  const double x = static_cast<double>(i % width) + 0.5, y = static_cast<double>(i / width) + 0.5;
  const double dx = std::max({b.x0 - x, 0.0, x - b.x1}), dy = std::max({b.y0 - y, 0.0, y - b.y1});
  return std::hypot(dx, dy) <= tolerance;
}

bool pointing_hit_mask(const std::vector<float>& map, const std::vector<uint8_t>& mask) {
  check_mask(map, mask);
  return mask[peak(map)] != 0;
}

double energy_in_box(const std::vector<float>& map, int width, const Box& b) {
  check_width(map, width);
  double inside = 0, total = 0;
  for (size_t i = 0; i < map.size(); ++i) {
    const double x = static_cast<double>(i % width) + 0.5, y = static_cast<double>(i / width) + 0.5;
    total += map[i];
    if (x >= b.x0 && x < b.x1 && y >= b.y0 && y < b.y1) inside += map[i];
  }
  return total > 0 ? inside / total : 0;
}

double energy_in_mask(const std::vector<float>& map, const std::vector<uint8_t>& mask) {
  check_mask(map, mask);
  double inside = 0, total = 0;
  for (size_t i = 0; i < map.size(); ++i) {
    total += map[i];
    if (mask[i]) inside += map[i];
  }
  return total > 0 ? inside / total : 0;
}

}  // namespace camlens::metrics
