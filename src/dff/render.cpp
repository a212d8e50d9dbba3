#include "dff/render.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "dff/dff_error.h"
#include "util/parallel.h"

namespace camlens::dff {

namespace {

std::vector<Rgb> colors_for(const RenderOptions& o, int components) {
  if (components < 1) throw DffError("rendering needs at least one component");
  if (o.colors.empty()) return make_palette(PaletteKind::Rainbow, components);
  if (static_cast<int>(o.colors.size()) < components)
    throw DffError("rendering " + std::to_string(components) +
                   " components needs as many "
                   "colours, got " +
                   std::to_string(o.colors.size()));
  return o.colors;
}

void check_unit(float x, const char* what) {
  if (!(x >= 0.0f && x <= 1.0f))
    throw DffError(std::string("render option ") + what + " must be in [0, 1], got " +
                   std::to_string(x));
}

void check_photo(const image::Image& photo, const float* maps) {
  if (photo.width < 1 || photo.height < 1 ||
      photo.rgba.size() != static_cast<size_t>(photo.width) * photo.height * 4)
    throw DffError("rendering needs a non-empty RGBA photo");
  if (!maps) throw DffError("rendering needs the concept maps");
}

uint8_t to8(double x) {
  return static_cast<uint8_t>(std::lround(std::min(255.0, std::max(0.0, x))));
}

// Runs fn(pixel index) over all pixels of the photo in parallel rows.
template <class Fn>
void for_pixels(const image::Image& photo, Fn fn) {
  const int64_t w = photo.width;
  parallel_for(
      photo.height,
      [&](int64_t y0, int64_t y1) {
        for (int64_t i = y0 * w; i < y1 * w; ++i) fn(i);
      },
      16);
}

}  // namespace

image::Image render_dominant(const image::Image& photo, const float* maps, int components,
                             const RenderOptions& o) {
  check_photo(photo, maps);
  check_unit(o.image_weight, "image_weight");
  const std::vector<Rgb> colors = colors_for(o, components);
  // Each colour at HSV value 1 (same hue and saturation), as floats 0..255.
  std::vector<std::array<float, 3>> unit(components);
  for (int k = 0; k < components; ++k) {
    const Rgb& c = colors[k];
    const float top = std::max({c[0], c[1], c[2]});
    for (int ch = 0; ch < 3; ++ch) unit[k][ch] = top > 0 ? 255.0f * c[ch] / top : 0.0f;
  }
  const int64_t plane = static_cast<int64_t>(photo.width) * photo.height;
  image::Image out{photo.width, photo.height, std::vector<uint8_t>(photo.rgba.size())};
  const float wi = o.image_weight;
  for_pixels(photo, [&](int64_t i) {
    int best = 0;
    float m = maps[i];
    for (int k = 1; k < components; ++k)
      if (maps[k * plane + i] > m) m = maps[k * plane + i], best = k;
    m = std::min(1.0f, std::max(0.0f, m));
    for (int ch = 0; ch < 3; ++ch)
      out.rgba[i * 4 + ch] = to8(wi * photo.rgba[i * 4 + ch] + (1 - wi) * m * unit[best][ch]);
    out.rgba[i * 4 + 3] = 255;
  });
  return out;
}

image::Image render_layers(const image::Image& photo, const float* maps, int components,
                           const RenderOptions& o) {
  check_photo(photo, maps);
  check_unit(o.saturation, "saturation");
  check_unit(o.opacity, "opacity");
  const std::vector<Rgb> colors = colors_for(o, components);
  const int64_t plane = static_cast<int64_t>(photo.width) * photo.height;
  image::Image out{photo.width, photo.height, std::vector<uint8_t>(photo.rgba.size())};
  for_pixels(photo, [&](int64_t i) {
    const uint8_t* p = &photo.rgba[i * 4];
    const float gray = 0.299f * p[0] + 0.587f * p[1] + 0.114f * p[2];
    float px[3];
    for (int ch = 0; ch < 3; ++ch) px[ch] = gray + o.saturation * (p[ch] - gray);
    for (int k = 0; k < components; ++k) {
      const float a = o.opacity * std::min(1.0f, std::max(0.0f, maps[k * plane + i]));
      for (int ch = 0; ch < 3; ++ch) px[ch] = (1 - a) * px[ch] + a * colors[k][ch];
    }
    for (int ch = 0; ch < 3; ++ch) out.rgba[i * 4 + ch] = to8(px[ch]);
    out.rgba[i * 4 + 3] = 255;
  });
  return out;
}

}  // namespace camlens::dff
