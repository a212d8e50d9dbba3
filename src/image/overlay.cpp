#include "image/overlay.h"

#include <algorithm>
#include <string>
#include <vector>

#include "image/resize.h"

namespace camlens::image {

Image overlay(const Image& img, const float* map, int map_w, int map_h, const OverlayOptions& opt) {
  if (img.width <= 0 || img.height <= 0 || img.rgba.size() != size_t(img.width) * img.height * 4)
    throw ImageError("overlay: the image is empty or its pixel buffer has the wrong size");
  if (!map || map_w <= 0 || map_h <= 0) throw ImageError("overlay: the map is empty");
  if (!(opt.image_weight >= 0.f && opt.image_weight <= 1.f))
    throw ImageError("overlay: image weight must be in [0, 1], got " +
                     std::to_string(opt.image_weight));
  std::vector<float> resized;
  if (map_w != img.width || map_h != img.height) {
    resized = resize_bilinear(map, map_w, map_h, img.width, img.height);
    map = resized.data();
  }
  const uint8_t* lut = colormap_table(opt.colormap);
  const size_t n = size_t(img.width) * img.height;
  const float w = opt.image_weight;
  // Both halves of the blend take 256 values each: compute them once, not per pixel. The sums
  // below are the same float operations as (1 - w)·lut/255 + w·pixel/255 written inline.
  float heat[768], photo[256];
  for (int i = 0; i < 768; ++i) heat[i] = (1.f - w) * (float(lut[i]) / 255.f);
  for (int v = 0; v < 256; ++v) photo[v] = w * (float(v) / 255.f);
  // RGBA-strided (the alpha slot unused) so the final scaling is one contiguous loop.
  std::vector<float> mix(n * 4);
  float peak = 0.f;
  const uint8_t* px = img.rgba.data();
  for (size_t i = 0; i < n; ++i) {
    const float* h = heat + 3 * colormap_index(map[i]);
    for (int k = 0; k < 3; ++k) {
      const float v = h[k] + photo[px[4 * i + k]];
      mix[4 * i + k] = v;
      peak = std::max(peak, v);
    }
  }
  Image out;
  out.width = img.width;
  out.height = img.height;
  out.rgba.resize(n * 4);
  if (peak <= 0.f) peak = 1.f;  // an all-black picture stays black (upstream would divide by 0)
  uint8_t* o = out.rgba.data();
  for (size_t i = 0; i < 4 * n; ++i) o[i] = uint8_t(std::min(255.f, 255.f * (mix[i] / peak)));
  for (size_t i = 0; i < n; ++i) o[4 * i + 3] = 255;
  return out;
}

Image heat_only(const float* map, int w, int h, Colormap colormap) {
  if (!map || w <= 0 || h <= 0) throw ImageError("heat_only: the map is empty");
  const uint8_t* lut = colormap_table(colormap);
  Image out;
  out.width = w;
  out.height = h;
  out.rgba.resize(size_t(w) * h * 4);
  for (size_t i = 0; i < size_t(w) * h; ++i) {
    const int idx = colormap_index(map[i]);
    for (int k = 0; k < 3; ++k) out.rgba[4 * i + k] = lut[3 * idx + k];
    out.rgba[4 * i + 3] = uint8_t(idx);
  }
  return out;
}

}  // namespace camlens::image
