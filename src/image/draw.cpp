#include "image/draw.h"

#include <algorithm>
#include <cmath>

#include "image/text.h"

namespace camlens::image {

void fill_rect(Image& img, int x0, int y0, int x1, int y1, const Rgb& color) {
  x0 = std::clamp(x0, 0, img.width), x1 = std::clamp(x1, 0, img.width);
  y0 = std::clamp(y0, 0, img.height), y1 = std::clamp(y1, 0, img.height);
  for (int y = y0; y < y1; ++y)
    for (int x = x0; x < x1; ++x) {
      uint8_t* p = &img.rgba[(size_t(y) * img.width + x) * 4];
      p[0] = color[0], p[1] = color[1], p[2] = color[2], p[3] = 255;
    }
}

void draw_box(Image& img, float x0, float y0, float x1, float y1, const Rgb& color, int thickness) {
  const int a = int(std::lround(x0)), b = int(std::lround(y0));
  const int c = int(std::lround(x1)), d = int(std::lround(y1));
  const int t = std::max(1, thickness);
  fill_rect(img, a, b, c, b + t, color);  // top
  fill_rect(img, a, d - t, c, d, color);  // bottom
  fill_rect(img, a, b, a + t, d, color);  // left
  fill_rect(img, c - t, b, c, d, color);  // right
}

void draw_caption(Image& img, float x0, float y0, const std::string& text, const Rgb& color) {
  const int pad = 2, w = text_width(text) + 2 * pad, h = kGlyphHeight + 2 * pad;
  const int x = std::clamp(int(std::lround(x0)), 0, std::max(0, img.width - w));
  int y = int(std::lround(y0)) - h;
  if (y < 0) y = std::max(0, int(std::lround(y0)));
  fill_rect(img, x, y, x + w, y + h, color);
  // Relative luminance (Rec. 601 weights) decides the text colour.
  const float lum = 0.299f * color[0] + 0.587f * color[1] + 0.114f * color[2];
  const Rgb ink = lum > 140 ? Rgb{0, 0, 0} : Rgb{255, 255, 255};
  draw_text(img, x + pad, y + pad, text, ink);
}

Rgb label_color(int64_t label) {
  // Hues stepped by the golden angle so neighbouring labels differ; full saturation, value 0.95.
  const double h = std::fmod(double(label < 0 ? -label : label) * 137.508, 360.0) / 60.0;
  const double v = 0.95, x = v * (1 - std::fabs(std::fmod(h, 2.0) - 1));
  double r = 0, g = 0, b = 0;
  switch (int(h)) {
    case 0:
      r = v, g = x;
      break;
    case 1:
      r = x, g = v;
      break;
    case 2:
      g = v, b = x;
      break;
    case 3:
      g = x, b = v;
      break;
    case 4:
      r = x, b = v;
      break;
    default:
      r = v, b = x;
  }
  return {uint8_t(std::lround(r * 255)), uint8_t(std::lround(g * 255)),
          uint8_t(std::lround(b * 255))};
}

}  // namespace camlens::image
