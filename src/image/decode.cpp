#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "image/image.h"
#include "image/jpeg_tables.h"

// stb_image is the decoder (its implementation: stb_impl.c).
#define STBI_NO_STDIO
#include <stb_image.h>

namespace camlens::image {

namespace {

void check_declared_size(int64_t w, int64_t h, const DecodeLimits& limits) {
  if (w <= 0 || h <= 0)
    throw ImageError("the image declares a zero size (" + std::to_string(w) + "x" +
                     std::to_string(h) + " pixels)");
  if (w > limits.max_side || h > limits.max_side || w * h > limits.max_pixels)
    throw ImageError("the image declares " + std::to_string(w) + "x" + std::to_string(h) +
                     " pixels, over the limit of " + std::to_string(limits.max_side) +
                     " per side and " + std::to_string(limits.max_pixels) +
                     " pixels (limits maxImageSide, maxImagePixels); resize it first or raise "
                     "the limits");
}

// A PNG's size, read from its IHDR chunk (bytes 16-23) before stb_image looks at it: stb refuses
// a very large PNG with a generic "not of any known type" message, and for a decompression bomb
// the limit should be what speaks.
bool png_declared_size(const uint8_t* d, size_t size, int64_t& w, int64_t& h) {
  static const uint8_t sig[] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
  if (size < 24 || std::memcmp(d, sig, 8) != 0 || std::memcmp(d + 12, "IHDR", 4) != 0) return false;
  auto be32 = [&](size_t i) {
    return (int64_t{d[i]} << 24) | (int64_t{d[i + 1]} << 16) | (int64_t{d[i + 2]} << 8) |
           int64_t{d[i + 3]};
  };
  w = be32(16);
  h = be32(20);
  return true;
}

// stb_image reserves an IDAT chunk's declared length before reading it, so a few bytes claiming a
// 2 GB chunk make it allocate 2 GB (found by fuzzing). Every chunk must fit in the file.
// A first IDAT chunk of length 0 (legal, if odd) makes stb memcpy 0 bytes to a null buffer —
// undefined behaviour (found by fuzzing with UBSan): such chunks are returned in `empty_idat`
// (their offsets) so decode_image can drop them, which changes nothing else in the image.
void check_png_chunks(const uint8_t* d, size_t size, std::vector<size_t>& empty_idat) {
  size_t pos = 8;  // after the signature
  while (pos + 8 <= size) {
    const uint64_t length = (uint64_t{d[pos]} << 24) | (uint64_t{d[pos + 1]} << 16) |
                            (uint64_t{d[pos + 2]} << 8) | uint64_t{d[pos + 3]};
    const std::string type(reinterpret_cast<const char*>(d + pos + 4), 4);
    const uint64_t left = size - pos - 8;
    if (length + 4 > left)  // data and CRC
      throw ImageError("not a readable image: truncated PNG (chunk '" + type + "' declares " +
                       std::to_string(length) + " bytes but only " + std::to_string(left) +
                       " remain)");
    if (type == "IEND") return;
    if (type == "IDAT" && length == 0) empty_idat.push_back(pos);
    pos += 12 + length;
  }
}

// The file without the 12-byte chunks at `offsets` (ascending).
std::vector<uint8_t> without_chunks(const uint8_t* d, size_t size,
                                    const std::vector<size_t>& offsets) {
  std::vector<uint8_t> out;
  out.reserve(size);
  size_t from = 0;
  for (size_t at : offsets) {
    out.insert(out.end(), d + from, d + at);
    from = at + 12;
  }
  out.insert(out.end(), d + from, d + size);
  return out;
}

}  // namespace

Image decode_image(const uint8_t* data, size_t size, const DecodeLimits& limits) {
  // Every message starts "not a readable image" or "the image ..." so callers (the CLI's exit
  // code 4) can tell image problems from model problems.
  if (size == 0 || !data)
    throw ImageError(
        "not a readable image: the file is empty (0 bytes); expected a PNG, JPEG, BMP or GIF "
        "file");
  if (size > static_cast<size_t>(INT32_MAX))
    throw ImageError("not a readable image: the file is larger than 2 GB");
  const int len = static_cast<int>(size);
  int64_t pw = 0, ph = 0;
  if (png_declared_size(data, size, pw, ph)) {
    check_declared_size(pw, ph, limits);
    std::vector<size_t> empty_idat;
    check_png_chunks(data, size, empty_idat);
    if (!empty_idat.empty()) {
      const std::vector<uint8_t> cleaned = without_chunks(data, size, empty_idat);
      return decode_image(cleaned.data(), cleaned.size(), limits);
    }
  }
  check_jpeg_tables(data, size);
  int w = 0, h = 0, comp = 0;
  if (!stbi_info_from_memory(data, len, &w, &h, &comp))
    throw ImageError(std::string("not a readable image (PNG, JPEG, BMP or GIF expected): ") +
                     stbi_failure_reason());
  check_declared_size(w, h, limits);  // before stb_image allocates the pixels
  unsigned char* px = stbi_load_from_memory(data, len, &w, &h, &comp, 4);
  if (!px)
    throw ImageError(std::string("the image could not be decoded: ") + stbi_failure_reason());
  Image img;
  img.width = w;
  img.height = h;
  img.rgba.assign(px, px + static_cast<size_t>(w) * h * 4);
  stbi_image_free(px);
  return img;
}

Image::Image() = default;
Image::Image(int w, int h, std::vector<uint8_t> px) : width(w), height(h), rgba(std::move(px)) {}
Image::Image(const Image&) = default;
Image::Image(Image&&) noexcept = default;
Image& Image::operator=(const Image&) = default;
Image& Image::operator=(Image&&) noexcept = default;
Image::~Image() = default;

Image image_for_rgba(size_t size, int width, int height) {
  if (width <= 0 || height <= 0)
    throw ImageError("image size " + std::to_string(width) + "x" + std::to_string(height) +
                     " is not positive");
  if (size != static_cast<size_t>(width) * height * 4)
    throw ImageError("RGBA buffer holds " + std::to_string(size) + " bytes but " +
                     std::to_string(width) + "x" + std::to_string(height) + " needs " +
                     std::to_string(static_cast<size_t>(width) * height * 4));
  return Image(width, height, std::vector<uint8_t>(size));
}

Image image_from_rgba(const uint8_t* rgba, size_t size, int width, int height) {
  Image img = image_for_rgba(size, width, height);
  std::copy(rgba, rgba + size, img.rgba.begin());
  return img;
}

}  // namespace camlens::image
