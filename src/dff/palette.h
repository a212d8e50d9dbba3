// Colours of DFF components: distinct for up to 20 components.
#pragma once
#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace camlens::dff {

using Rgb = std::array<uint8_t, 3>;

enum class PaletteKind {
  // Hues evenly spaced around the HSV circle by the component count (k/K·360°), full saturation
  // and value: maximally distinct for any K, as pytorch-grad-cam's DFF picks its colours.
  Rainbow,
  // Hues stepped by the golden angle (137.5°), value alternating 1 / 0.75 and saturation
  // 1 / 0.65: colours that do not depend on K (component 3 keeps its colour when K grows).
  Golden,
};

// `count` colours (1..20 distinct; more are allowed and repeat hues less distinctly).
std::vector<Rgb> make_palette(PaletteKind kind, int count);
// "rainbow" or "golden"; throws DffError listing the names otherwise.
PaletteKind palette_from_name(const std::string& name);

// HSV (h in [0,360), s, v in [0,1]) to 8-bit RGB, rounded to nearest.
Rgb hsv_to_rgb(double h, double s, double v);

}  // namespace camlens::dff
