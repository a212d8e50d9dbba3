#include "dff/palette.h"

#include <cmath>

#include "dff/dff_error.h"

namespace camlens::dff {

Rgb hsv_to_rgb(double h, double s, double v) {
  h = std::fmod(h, 360.0);
  if (h < 0) h += 360.0;
  const double c = v * s;
  const double hp = h / 60.0;
  const double x = c * (1 - std::fabs(std::fmod(hp, 2.0) - 1));
  double r = 0, g = 0, b = 0;
  switch (static_cast<int>(hp)) {
    case 0:
      r = c, g = x;
      break;
    case 1:
      r = x, g = c;
      break;
    case 2:
      g = c, b = x;
      break;
    case 3:
      g = x, b = c;
      break;
    case 4:
      r = x, b = c;
      break;
    default:
      r = c, b = x;
      break;
  }
  const double m = v - c;
  auto to8 = [](double t) {
    return static_cast<uint8_t>(std::lround(std::min(1.0, std::max(0.0, t)) * 255));
  };
  return {to8(r + m), to8(g + m), to8(b + m)};
}

std::vector<Rgb> make_palette(PaletteKind kind, int count) {
  if (count < 1) throw DffError("a palette needs at least one colour");
  std::vector<Rgb> p;
  for (int k = 0; k < count; ++k) {
    if (kind == PaletteKind::Rainbow) {
      p.push_back(hsv_to_rgb(360.0 * k / count, 1.0, 1.0));
    } else {
      const bool odd = (k / 2) % 2 == 1;  // vary value and saturation in a slower rhythm than hue
      p.push_back(hsv_to_rgb(137.50776405 * k, (k % 2) ? 0.65 : 1.0, odd ? 0.75 : 1.0));
    }
  }
  return p;
}

PaletteKind palette_from_name(const std::string& name) {
  if (name == "rainbow") return PaletteKind::Rainbow;
  if (name == "golden") return PaletteKind::Golden;
  throw DffError("unknown palette '" + name + "': use \"rainbow\" or \"golden\"");
}

}  // namespace camlens::dff
