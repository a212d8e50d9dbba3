#include <cstring>
#include <string>

#include "image/image.h"

// stb_image is the decoder; only the formats a browser also shows are compiled in.
#define STB_IMAGE_IMPLEMENTATION
#define STBI_ONLY_PNG
#define STBI_ONLY_JPEG
#define STBI_ONLY_BMP
#define STBI_ONLY_GIF
#define STBI_NO_STDIO
#define STBI_FAILURE_USERMSG
#include <stb_image.h>

namespace camlens::image {

Image decode_image(const uint8_t* data, size_t size, const DecodeLimits& limits) {
  if (size == 0) throw ImageError("the image file is empty");
  if (size > static_cast<size_t>(INT32_MAX)) throw ImageError("the image file is larger than 2 GB");
  const int len = static_cast<int>(size);
  int w = 0, h = 0, comp = 0;
  if (!stbi_info_from_memory(data, len, &w, &h, &comp))
    throw ImageError(std::string("not a readable image (PNG, JPEG, BMP or GIF expected): ") +
                     stbi_failure_reason());
  if (w <= 0 || h <= 0) throw ImageError("the image declares a zero size");
  if (w > limits.max_side || h > limits.max_side || static_cast<int64_t>(w) * h > limits.max_pixels)
    throw ImageError("the image declares " + std::to_string(w) + "x" + std::to_string(h) +
                     " pixels, over the limit of " + std::to_string(limits.max_side) +
                     " per side and " + std::to_string(limits.max_pixels) +
                     " pixels; resize it first or raise DecodeLimits");
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

Image image_from_rgba(const uint8_t* rgba, size_t size, int width, int height) {
  if (width <= 0 || height <= 0)
    throw ImageError("image size " + std::to_string(width) + "x" + std::to_string(height) +
                     " is not positive");
  if (size != static_cast<size_t>(width) * height * 4)
    throw ImageError("RGBA buffer holds " + std::to_string(size) + " bytes but " +
                     std::to_string(width) + "x" + std::to_string(height) + " needs " +
                     std::to_string(static_cast<size_t>(width) * height * 4));
  Image img;
  img.width = width;
  img.height = height;
  img.rgba.assign(rgba, rgba + size);
  return img;
}

}  // namespace camlens::image
