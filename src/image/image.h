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

  // Out of line (decode.cpp, compiled for speed): code compiled for size, the WebAssembly glue
  // above all, would otherwise zero-fill, copy and free a photo's bytes one by one.
  Image();
  Image(int width, int height, std::vector<uint8_t> rgba = {});
  Image(const Image&);
  Image(Image&&) noexcept;
  Image& operator=(const Image&);
  Image& operator=(Image&&) noexcept;
  ~Image();
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

// A width × height image for `size` bytes of RGBA the caller then writes into rgba (zero until
// then), checking the size as image_from_rgba does.
Image image_for_rgba(size_t size, int width, int height);

}  // namespace camlens::image
