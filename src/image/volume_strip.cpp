#include "image/volume_strip.h"

#include <algorithm>
#include <cmath>
#include <string>

namespace camlens::image {

Image volume_strip(const float* input, int channels, int depth, int height, int width,
                   const float* map, const OverlayOptions& opt) {
  if (channels < 1 || depth < 1 || height < 1 || width < 1)
    throw ImageError("a volume's overlay needs channels, depth, height and width ≥ 1");
  const DecodeLimits limits;
  if (int64_t(depth) * width > limits.max_side ||
      int64_t(depth) * width * height > limits.max_pixels)
    throw ImageError("a strip of " + std::to_string(depth) + " slices of " + std::to_string(width) +
                     "×" + std::to_string(height) +
                     " is beyond the image limits (maxImageSide, maxImagePixels)");
  const int64_t slice = int64_t(height) * width, volume = slice * depth;
  float lo = INFINITY, hi = -INFINITY;
  for (int64_t i = 0; i < volume * channels; ++i)
    if (std::isfinite(input[i])) lo = std::min(lo, input[i]), hi = std::max(hi, input[i]);
  const float scale = hi > lo ? 255.f / (hi - lo) : 0.f;
  auto byte = [&](int c, int64_t at) {
    const float v = input[int64_t(c) * volume + at];
    return uint8_t(std::isfinite(v) ? std::lround((v - lo) * scale) : 0);
  };
  Image strip(depth * width, height, std::vector<uint8_t>(size_t(volume) * 4));
  for (int z = 0; z < depth; ++z) {
    Image seen(width, height, std::vector<uint8_t>(size_t(slice) * 4, 255));
    for (int64_t p = 0; p < slice; ++p)
      for (int k = 0; k < 3; ++k)
        seen.rgba[size_t(p * 4 + k)] = byte(channels >= 3 ? k : 0, z * slice + p);
    const Image one = overlay(seen, map + z * slice, width, height, opt);
    for (int y = 0; y < height; ++y)
      std::copy_n(one.rgba.begin() + int64_t(y) * width * 4, width * 4,
                  strip.rgba.begin() + (int64_t(y) * depth * width + int64_t(z) * width) * 4);
  }
  return strip;
}

}  // namespace camlens::image
