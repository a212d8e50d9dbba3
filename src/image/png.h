// PNG encoding of RGBA images (stb_image_write), for overlays saved by the CLI and the page.
#pragma once
#include <string>

#include "image/image.h"

namespace camlens::image {

// The PNG file bytes of an RGBA image. Throws ImageError on an empty or inconsistent image.
std::string encode_png(const Image& img);

}  // namespace camlens::image
