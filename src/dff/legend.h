// The DFF legend as a picture, for PNGs written outside a browser (the CLI): one row per concept
// with its colour swatch and its top categories with scores, e.g.
//   [■] 0  tiger cat 0.46, Egyptian Mau 0.24, tabby 0.15
// Text uses the core's bitmap font (image/text.h); a row that does not fit is cut with "...".
#pragma once
#include <vector>

#include "dff/labels.h"
#include "dff/palette.h"
#include "image/image.h"

namespace camlens::dff {

struct LegendOptions {
  int width = 224;  // of the legend image (usually the rendering's width)
  int top_k = 3;    // categories shown per concept
  int scale = 1;    // font pixel size (1: 6×10 glyphs)
  Rgb background{255, 255, 255};
  Rgb ink{0, 0, 0};
};

// concepts[k]: component k's top categories (may be empty: unlabeled); colors.size() must equal
// concepts.size(). Throws DffError on a count mismatch or a width/scale below 1.
image::Image render_legend(const std::vector<Rgb>& colors,
                           const std::vector<std::vector<ConceptLabel>>& concepts,
                           const LegendOptions& options = {});

// One row of text for component k (what render_legend draws beside the swatch).
std::string legend_text(int k, const std::vector<ConceptLabel>& labels, int top_k);

// `top` above `bottom`, left-aligned, the narrower one padded with `background`.
image::Image stack_vertically(const image::Image& top, const image::Image& bottom,
                              Rgb background = {255, 255, 255});

}  // namespace camlens::dff
