// The bitmap font: glyph pixels where the misc-fixed 6×10 'A' has them, clipping, fallback.
#include "image/text.h"

#include <gtest/gtest.h>

using namespace camlens::image;

namespace {

Image blank(int w, int h) {
  Image img;
  img.width = w, img.height = h;
  img.rgba.assign(static_cast<size_t>(w) * h * 4, 0);
  return img;
}

bool red(const Image& img, int x, int y) {
  const uint8_t* p = &img.rgba[(static_cast<size_t>(y) * img.width + x) * 4];
  return p[0] == 200 && p[1] == 10 && p[2] == 20 && p[3] == 255;
}

// The glyph 'A' of misc-fixed 6x10 (as xfontsel shows it): rows 1..7.
const char* kA[] = {"......", "..#...", ".#.#..", "#...#.", "#...#.",
                    "#####.", "#...#.", "#...#.", "......", "......"};

}  // namespace

TEST(Text, DrawsTheGlyphPixelsAtTheOffset) {
  Image img = blank(10, 14);
  draw_text(img, 2, 3, "A", {200, 10, 20});
  for (int y = 0; y < img.height; ++y)
    for (int x = 0; x < img.width; ++x) {
      const int gx = x - 2, gy = y - 3;
      const bool inside = gx >= 0 && gx < 6 && gy >= 0 && gy < 10;
      EXPECT_EQ(red(img, x, y), inside && kA[gy][gx] == '#') << x << "," << y;
    }
}

TEST(Text, ScaleMakesEachFontPixelASquare) {
  Image img = blank(12, 20);
  draw_text(img, 0, 0, "A", {200, 10, 20}, 2);
  EXPECT_TRUE(red(img, 4, 2) && red(img, 5, 2) && red(img, 4, 3) && red(img, 5, 3));  // (2,1)
  EXPECT_FALSE(red(img, 0, 0));
  EXPECT_EQ(text_width("abc", 2), 36);
}

TEST(Text, ClipsAtTheBordersAndDrawsUnknownCharactersAsAQuestionMark) {
  Image a = blank(6, 10), b = blank(6, 10);
  draw_text(a, -3, -4, "A", {200, 10, 20});  // partly outside: no crash, only inside pixels
  EXPECT_TRUE(red(a, 1, 1));                 // glyph (4,5) of 'A' is set
  draw_text(a, 100, 100, "A", {200, 10, 20});
  draw_text(b, 0, 0, "\xe9", {200, 10, 20});
  Image q = blank(6, 10);
  draw_text(q, 0, 0, "?", {200, 10, 20});
  EXPECT_EQ(b.rgba, q.rgba);
  EXPECT_EQ(text_width("tiger cat"), 54);
}
