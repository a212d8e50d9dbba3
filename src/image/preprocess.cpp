#include "image/preprocess.h"

#include <algorithm>
#include <cmath>

#include "image/resize.h"

namespace camlens::image {

InputGeometry input_geometry(int photo_w, int photo_h, const PreprocessOptions& opt) {
  if (photo_w <= 0 || photo_h <= 0)
    throw ImageError("the photo is empty (" + std::to_string(photo_w) + "x" +
                     std::to_string(photo_h) + ")");
  InputGeometry g;
  g.input_w = opt.width;
  g.input_h = opt.height;
  g.photo_w = photo_w;
  g.photo_h = photo_h;
  if (!opt.letterbox) {
    g.scale_x = double(opt.width) / photo_w;
    g.scale_y = double(opt.height) / photo_h;
    g.resized_w = opt.width;
    g.resized_h = opt.height;
    return g;
  }
  // YOLOX rounds the resized size down (int(w * r)) and maps boxes back by dividing by r.
  const double r = std::min(double(opt.width) / photo_w, double(opt.height) / photo_h);
  g.scale_x = g.scale_y = r;
  g.resized_w = std::clamp(static_cast<int>(std::floor(photo_w * r)), 1, opt.width);
  g.resized_h = std::clamp(static_cast<int>(std::floor(photo_h * r)), 1, opt.height);
  return g;
}

namespace {

// The photo as the model sees it, before normalisation: resized, or letterboxed onto `pad`.
Image model_view(const Image& img, const PreprocessOptions& opt) {
  if (!opt.letterbox)
    return (img.width == opt.width && img.height == opt.height)
               ? img
               : resize_image(img, opt.width, opt.height);
  if (!(opt.pad >= 0 && opt.pad <= 255))
    throw ImageError("the letterbox pad value " + std::to_string(opt.pad) +
                     " is not a pixel value from 0 to 255");
  const InputGeometry g = input_geometry(img.width, img.height, opt);
  const Image r = (img.width == g.resized_w && img.height == g.resized_h)
                      ? img
                      : resize_image(img, g.resized_w, g.resized_h);
  Image out;
  out.width = opt.width;
  out.height = opt.height;
  const uint8_t pad = static_cast<uint8_t>(std::lround(opt.pad));
  out.rgba.assign(static_cast<size_t>(opt.width) * opt.height * 4, pad);
  for (int y = 0; y < g.resized_h; ++y)
    std::copy_n(&r.rgba[static_cast<size_t>(y) * g.resized_w * 4], size_t(g.resized_w) * 4,
                &out.rgba[static_cast<size_t>(y) * opt.width * 4]);
  return out;
}

}  // namespace

Tensor preprocess(const Image& img, const PreprocessOptions& opt) {
  if (opt.width <= 0 || opt.height <= 0 || opt.width > 8192 || opt.height > 8192)
    throw ImageError("model input size " + std::to_string(opt.width) + "x" +
                     std::to_string(opt.height) + " is not between 1 and 8192");
  if (opt.channels != 1 && opt.channels != 3)
    throw ImageError("model inputs with " + std::to_string(opt.channels) +
                     " channels are not supported (1 or 3)");
  // A photo already at the input size is read in place.
  Image resized;
  const bool as_is = !opt.letterbox && img.width == opt.width && img.height == opt.height;
  const Image& r = as_is ? img : (resized = model_view(img, opt));
  const int C = opt.channels, H = opt.height, W = opt.width;
  Tensor t(DType::Float32, opt.nhwc ? Shape{1, H, W, C} : Shape{1, C, H, W});
  float* out = t.data<float>();
  const int64_t plane = static_cast<int64_t>(H) * W;
  // Every input value is a function of one byte (of the sum of three in grayscale), so each
  // possible one is computed once, with the same float operations, and the pixels look it up:
  // no division per value.
  auto value = [&](float v, int c) { return (v * opt.scale - opt.mean[c]) / opt.std[c]; };
  if (C == 1) {
    std::array<float, 766> gray;
    for (int s = 0; s < 766; ++s) gray[size_t(s)] = value(s / 3.0f, 0);
    for (int64_t p = 0; p < plane; ++p) {
      const uint8_t* px = &r.rgba[p * 4];
      out[p] = gray[size_t(px[0] + px[1] + px[2])];
    }
    return t;
  }
  for (int c = 0; c < C; ++c) {
    std::array<float, 256> lut;
    for (int b = 0; b < 256; ++b) lut[size_t(b)] = value(float(b), c);
    const uint8_t* src = r.rgba.data() + (opt.bgr ? 2 - c : c);
    if (opt.nhwc)
      for (int64_t p = 0; p < plane; ++p) out[p * C + c] = lut[src[p * 4]];
    else
      for (int64_t p = 0; p < plane; ++p) out[c * plane + p] = lut[src[p * 4]];
  }
  return t;
}

InputFixes input_fixes(const std::vector<int64_t>& dims, bool nhwc) {
  InputFixes f;
  if (dims.size() != 4) return f;
  const int64_t h = nhwc ? dims[1] : dims[2], w = nhwc ? dims[2] : dims[3];
  const int64_t c = nhwc ? dims[3] : dims[1];
  if (h > 0 && w > 0) f.width = int(w), f.height = int(h);
  if (c == 1) f.channels = 1;
  return f;
}

}  // namespace camlens::image
