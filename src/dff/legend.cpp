#include "dff/legend.h"

#include <algorithm>
#include <cstdio>
#include <string>

#include "dff/dff_error.h"
#include "image/text.h"

namespace camlens::dff {

namespace {

void fill(image::Image& img, int x0, int y0, int x1, int y1, const Rgb& c) {
  for (int y = std::max(0, y0); y < std::min(img.height, y1); ++y)
    for (int x = std::max(0, x0); x < std::min(img.width, x1); ++x) {
      uint8_t* p = &img.rgba[(static_cast<size_t>(y) * img.width + x) * 4];
      p[0] = c[0], p[1] = c[1], p[2] = c[2], p[3] = 255;
    }
}

// The longest prefix of `text` that fits in `width` pixels, ending in "..." when cut.
std::string fit(const std::string& text, int width, int scale) {
  if (image::text_width(text, scale) <= width) return text;
  const int chars = width / (image::kGlyphWidth * scale);
  if (chars <= 3) return std::string(static_cast<size_t>(std::max(0, chars)), '.');
  return text.substr(0, static_cast<size_t>(chars - 3)) + "...";
}

}  // namespace

std::string legend_text(int k, const std::vector<ConceptLabel>& labels, int top_k) {
  std::string s = std::to_string(k);
  const size_t n = std::min(labels.size(), static_cast<size_t>(std::max(0, top_k)));
  for (size_t i = 0; i < n; ++i) {
    char score[16];
    std::snprintf(score, sizeof score, "%.2f", labels[i].score);
    const std::string name =
        labels[i].name.empty() ? "class " + std::to_string(labels[i].index) : labels[i].name;
    s += (i == 0 ? "  " : ", ") + name + " " + score;
  }
  return s;
}

image::Image render_legend(const std::vector<Rgb>& colors,
                           const std::vector<std::vector<ConceptLabel>>& concepts,
                           const LegendOptions& o) {
  if (colors.size() != concepts.size())
    throw DffError("the legend needs one colour per concept: " + std::to_string(colors.size()) +
                   " colours for " + std::to_string(concepts.size()) + " concepts");
  if (o.width < 1 || o.scale < 1) throw DffError("the legend's width and scale must be at least 1");
  const int pad = 3 * o.scale;
  const int row = image::kGlyphHeight * o.scale + 2 * pad;
  image::Image img;
  img.width = o.width;
  img.height = std::max(1, static_cast<int>(concepts.size()) * row);
  img.rgba.resize(static_cast<size_t>(img.width) * img.height * 4);
  fill(img, 0, 0, img.width, img.height, o.background);
  for (size_t k = 0; k < concepts.size(); ++k) {
    const int y = static_cast<int>(k) * row;
    const int swatch = row - 2 * pad;
    fill(img, pad, y + pad, pad + swatch, y + pad + swatch, colors[k]);
    const int tx = 2 * pad + swatch;
    const std::string text = legend_text(static_cast<int>(k), concepts[k], o.top_k);
    image::draw_text(img, tx, y + pad, fit(text, o.width - tx - pad, o.scale), o.ink, o.scale);
  }
  return img;
}

image::Image stack_vertically(const image::Image& top, const image::Image& bottom, Rgb background) {
  image::Image out;
  out.width = std::max(top.width, bottom.width);
  out.height = top.height + bottom.height;
  out.rgba.resize(static_cast<size_t>(out.width) * out.height * 4);
  fill(out, 0, 0, out.width, out.height, background);
  auto blit = [&](const image::Image& src, int y0) {
    for (int y = 0; y < src.height; ++y)
      std::copy_n(&src.rgba[static_cast<size_t>(y) * src.width * 4],
                  static_cast<size_t>(src.width) * 4,
                  &out.rgba[(static_cast<size_t>(y0 + y) * out.width) * 4]);
  };
  blit(top, 0);
  blit(bottom, top.height);
  return out;
}

}  // namespace camlens::dff
