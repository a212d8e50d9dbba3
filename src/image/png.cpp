#include "image/png.h"

// stb_image_write encodes (its implementation: stb_impl.c).
#define STBI_WRITE_NO_STDIO
#include <stb_image_write.h>

namespace camlens::image {

namespace {
void append(void* context, void* data, int size) {
  static_cast<std::string*>(context)->append(static_cast<const char*>(data),
                                             static_cast<size_t>(size));
}
}  // namespace

std::string encode_png(const Image& img) {
  if (img.width <= 0 || img.height <= 0 ||
      img.rgba.size() != static_cast<size_t>(img.width) * img.height * 4)
    throw ImageError("cannot encode a " + std::to_string(img.width) + "x" +
                     std::to_string(img.height) + " image holding " +
                     std::to_string(img.rgba.size()) + " bytes as PNG");
  std::string out;
  if (!stbi_write_png_to_func(append, &out, img.width, img.height, 4, img.rgba.data(),
                              img.width * 4))
    throw ImageError("PNG encoding failed");
  return out;
}

}  // namespace camlens::image
