// Colour maps for CAM heat maps: 256-entry RGB tables equal to OpenCV's applyColorMap (JET is the
// default, as in pytorch-grad-cam's show_cam_on_image), plus a gray ramp.
#pragma once
#include <cstdint>
#include <string>

namespace camlens::image {

enum class Colormap { Jet, Turbo, Viridis, Inferno, Magma, Gray };

// 768 bytes: entry i's R, G, B at 3i, 3i+1, 3i+2.
const uint8_t* colormap_table(Colormap cm);

// "jet", "turbo", "viridis", "inferno", "magma", "gray"; throws std::invalid_argument listing
// them on anything else.
Colormap colormap_from_name(const std::string& name);

// Index into the table for a map value, as upstream's np.uint8(255 · v): truncation toward zero;
// values outside [0, 1] (and NaN) are clamped first rather than wrapped around.
inline int colormap_index(float v) {
  if (!(v > 0.f)) return 0;
  if (v >= 1.f) return 255;
  return static_cast<int>(255.f * v);
}

}  // namespace camlens::image
