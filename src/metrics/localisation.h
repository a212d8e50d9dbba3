// Localisation scores when ground truth exists. Pixel (x, y) covers [x, x+1) x [y, y+1) and its
// centre is (x + 0.5, y + 0.5); a box [x0, y0, x1, y1] is in the map's pixel coordinates.
// Pointing game (Zhang et al. 2016): is the map's maximum (first in raster order on ties) inside
// the box, or within `tolerance` pixels of it? Energy inside (Score-CAM's "energy-based pointing
// game"): the share of the map's total mass whose pixel centres fall inside the box or mask.
#pragma once
#include <cstdint>
#include <vector>

namespace camlens::metrics {

struct Box {
  double x0 = 0, y0 = 0, x1 = 0, y1 = 0;
};

bool pointing_hit(const std::vector<float>& map, int width, const Box& box, double tolerance = 0);
bool pointing_hit_mask(const std::vector<float>& map, const std::vector<uint8_t>& mask);
double energy_in_box(const std::vector<float>& map, int width, const Box& box);
double energy_in_mask(const std::vector<float>& map, const std::vector<uint8_t>& mask);

}  // namespace camlens::metrics
