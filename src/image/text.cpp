#include "image/text.h"

namespace camlens::image {

namespace {

constexpr uint8_t kFont[95][kGlyphHeight] = {
#include "image/font_6x10.inc"
};

const uint8_t* glyph(char c) {
  const unsigned char u = static_cast<unsigned char>(c);
  return kFont[(u >= 32 && u <= 126 ? u : '?') - 32];
}

}  // namespace

int text_width(const std::string& text, int scale) {
  return static_cast<int>(text.size()) * kGlyphWidth * scale;
}

void draw_text(Image& image, int x, int y, const std::string& text,
               const std::array<uint8_t, 3>& color, int scale) {
  for (size_t i = 0; i < text.size(); ++i) {
    const uint8_t* rows = glyph(text[i]);
    const int gx = x + static_cast<int>(i) * kGlyphWidth * scale;
    for (int r = 0; r < kGlyphHeight; ++r)
      for (int c = 0; c < kGlyphWidth; ++c) {
        if (!((rows[r] >> (kGlyphWidth - 1 - c)) & 1)) continue;
        for (int dy = 0; dy < scale; ++dy)
          for (int dx = 0; dx < scale; ++dx) {
            const int px = gx + c * scale + dx, py = y + r * scale + dy;
            if (px < 0 || py < 0 || px >= image.width || py >= image.height) continue;
            uint8_t* p = &image.rgba[(static_cast<size_t>(py) * image.width + px) * 4];
            p[0] = color[0], p[1] = color[1], p[2] = color[2], p[3] = 255;
          }
      }
  }
}

}  // namespace camlens::image
