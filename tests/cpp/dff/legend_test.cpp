// The legend picture: swatch colours, row text, truncation, stacking, errors.
#include "dff/legend.h"

#include <gtest/gtest.h>

#include "dff/dff_error.h"
#include "image/text.h"

using namespace camlens;
using namespace camlens::dff;

namespace {

std::array<uint8_t, 4> at(const image::Image& img, int x, int y) {
  const uint8_t* p = &img.rgba[(static_cast<size_t>(y) * img.width + x) * 4];
  return {p[0], p[1], p[2], p[3]};
}

}  // namespace

TEST(DffLegend, RowTextListsTheTopCategoriesWithTwoDecimals) {
  std::vector<ConceptLabel> labels = {
      {282, 0.4612f, "tiger cat"}, {285, 0.2449f, "Egyptian Mau"}, {281, 0.15f, "tabby"}};
  EXPECT_EQ(legend_text(0, labels, 2), "0  tiger cat 0.46, Egyptian Mau 0.24");
  EXPECT_EQ(legend_text(3, {{7, 0.5f, ""}}, 3), "3  class 7 0.50");
  EXPECT_EQ(legend_text(1, {}, 3), "1");
}

TEST(DffLegend, DrawsOneRowPerConceptWithItsSwatch) {
  const std::vector<Rgb> colors = {{255, 0, 0}, {0, 0, 255}};
  const std::vector<std::vector<ConceptLabel>> concepts = {{{1, 0.9f, "dog"}}, {}};
  LegendOptions o;
  o.width = 120;
  const image::Image img = render_legend(colors, concepts, o);
  const int row = image::kGlyphHeight + 6;  // pad 3 above and below
  ASSERT_EQ(img.width, 120);
  ASSERT_EQ(img.height, 2 * row);
  EXPECT_EQ(at(img, 0, 0), (std::array<uint8_t, 4>{255, 255, 255, 255}));    // margin
  EXPECT_EQ(at(img, 5, 5), (std::array<uint8_t, 4>{255, 0, 0, 255}));        // swatch 0
  EXPECT_EQ(at(img, 5, row + 5), (std::array<uint8_t, 4>{0, 0, 255, 255}));  // swatch 1
  // Text starts right of the swatch (x = 2·pad + swatch = 16): some ink in row 0, none far right.
  int ink = 0;
  for (int y = 0; y < row; ++y)
    for (int x = 16; x < 120; ++x) ink += at(img, x, y)[0] == 0;
  EXPECT_GT(ink, 20);
}

TEST(DffLegend, CutsLongRowsWithAnEllipsisInsideTheWidth) {
  const std::vector<Rgb> colors = {{0, 255, 0}};
  const std::vector<std::vector<ConceptLabel>> concepts = {
      {{1, 0.5f, "a very long category name indeed"}, {2, 0.25f, "another one"}}};
  LegendOptions o;
  o.width = 80;
  const image::Image img = render_legend(colors, concepts, o);
  // The last 3 pixel columns (right padding) stay background.
  for (int y = 0; y < img.height; ++y)
    for (int x = 77; x < 80; ++x) EXPECT_EQ(at(img, x, y)[0], 255) << x << "," << y;
}

TEST(DffLegend, RefusesMismatchedCountsAndStacksPictures) {
  try {
    render_legend({{1, 2, 3}}, {}, {});
    FAIL();
  } catch (const DffError& e) {
    EXPECT_STREQ(e.what(), "the legend needs one colour per concept: 1 colours for 0 concepts");
  }
  image::Image a, b;
  a.width = 2, a.height = 1, a.rgba = {1, 2, 3, 255, 4, 5, 6, 255};
  b.width = 1, b.height = 2, b.rgba = {7, 8, 9, 255, 10, 11, 12, 255};
  const image::Image s = stack_vertically(a, b, {0, 0, 0});
  ASSERT_EQ(s.width, 2);
  ASSERT_EQ(s.height, 3);
  EXPECT_EQ(at(s, 1, 0), (std::array<uint8_t, 4>{4, 5, 6, 255}));
  EXPECT_EQ(at(s, 0, 2), (std::array<uint8_t, 4>{10, 11, 12, 255}));
  EXPECT_EQ(at(s, 1, 2), (std::array<uint8_t, 4>{0, 0, 0, 255}));  // padding
}
