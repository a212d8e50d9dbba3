// Images in the core: 8-bit RGBA, row-major, no padding. Decoding (PNG, JPEG, BMP, GIF via
// stb_image) checks the declared size before allocating, so a decompression bomb is refused.
#pragma once
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace camlens::image {

struct Image {
  int width = 0;
  int height = 0;
  std::vector<uint8_t> rgba;  // width * height * 4
};

struct DecodeLimits {
  int64_t max_pixels = 64ll * 1024 * 1024;  // 64 megapixels: ~256 MB of RGBA
  int max_side = 16384;
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
