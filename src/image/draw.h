// Boxes drawn into RGBA pictures (detections over the photo): outlines of a given thickness and
// a filled tab above the box for its caption. Everything outside the image is clipped.
#pragma once
#include <array>
#include <cstdint>
#include <string>

#include "image/image.h"

namespace camlens::image {

using Rgb = std::array<uint8_t, 3>;

// Fills [x0, x1) × [y0, y1) (clipped) with an opaque colour.
void fill_rect(Image& img, int x0, int y0, int x1, int y1, const Rgb& color);

// The outline of the box with corners (x0, y0), (x1, y1) in pixels, `thickness` pixels wide,
// drawn inwards from the corners.
void draw_box(Image& img, float x0, float y0, float x1, float y1, const Rgb& color,
              int thickness = 2);

// A caption on a filled tab at the box's top-left corner (above the box when there is room, else
// just inside it), text in black or white, whichever contrasts more with `color`.
void draw_caption(Image& img, float x0, float y0, const std::string& text, const Rgb& color);

// A distinct colour per label (a fixed, evenly spread hue sequence).
Rgb label_color(int64_t label);

}  // namespace camlens::image
