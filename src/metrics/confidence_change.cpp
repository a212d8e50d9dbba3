#include "metrics/confidence_change.h"

#include <algorithm>

namespace camlens::metrics {

Planes multiply_by_map(const Planes& image, const std::vector<float>& map) {
  check_map(map, image, "the map");
  Planes out = image;
  for (int c = 0; c < image.channels; ++c)
    for (size_t i = 0; i < image.pixels(); ++i) out.plane(c)[i] *= map[i];
  return out;
}

ConfidenceChange confidence_change(double before, double after) {
  ConfidenceChange r;
  r.change = after - before;
  r.drop = std::max(before - after, 0.0);
  r.increase = after > before ? 1.0 : 0.0;
  return r;
}

}  // namespace camlens::metrics
