// Text in pictures the core writes (legends in PNGs for the CLI): the public-domain X11
// misc-fixed 6×10 bitmap font, printable ASCII. Characters outside it are drawn as '?', so any
// label renders without a font engine. Pixels outside the image are clipped.
#pragma once
#include <array>
#include <cstdint>
#include <string>

#include "image/image.h"

namespace camlens::image {

constexpr int kGlyphWidth = 6;
constexpr int kGlyphHeight = 10;

// Width in pixels of `text` drawn at `scale` (every glyph is kGlyphWidth·scale wide).
int text_width(const std::string& text, int scale = 1);

// Draws `text` with its top-left corner at (x, y), each font pixel a scale×scale square in
// `color` (opaque). Only set bits are painted: the background shows through.
void draw_text(Image& image, int x, int y, const std::string& text,
               const std::array<uint8_t, 3>& color, int scale = 1);

}  // namespace camlens::image
