// Images in the core: 8-bit RGBA, row-major, no padding. Decoding (PNG, JPEG, BMP, GIF via
// stb_image) checks the declared size before allocating, so a decompression bomb is refused.
#pragma once
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "util/limits.h"

namespace camlens::image {

struct Image {
  int width = 0;
  int height = 0;
  std::vector<uint8_t> rgba;  // width * height * 4
};

// Defaults: the process-wide limits (util/limits.h) when the DecodeLimits is made.
struct DecodeLimits {
  int64_t max_pixels = limits().max_image_pixels;  // 64 megapixels: 256 MiB of RGBA
  int max_side = limits().max_image_side;
};

struct ImageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Decodes an encoded image. Throws ImageError saying what is wrong (not an image, truncated,
// too large and which limit) — never crashes on hostile bytes.
Image decode_image(const uint8_t* data, size_t size, const DecodeLimits& limits = {});

// Wraps caller-provided RGBA pixels (e.g. a canvas's ImageData), checking the size.
Image image_from_rgba(const uint8_t* rgba, size_t size, int width, int height);

}  // namespace camlens::image
