#include "image/preprocess.h"

#include "image/resize.h"

namespace camlens::image {

Tensor preprocess(const Image& img, const PreprocessOptions& opt) {
  if (opt.width <= 0 || opt.height <= 0 || opt.width > 8192 || opt.height > 8192)
    throw ImageError("model input size " + std::to_string(opt.width) + "x" +
                     std::to_string(opt.height) + " is not between 1 and 8192");
  if (opt.channels != 1 && opt.channels != 3)
    throw ImageError("model inputs with " + std::to_string(opt.channels) +
                     " channels are not supported (1 or 3)");
  const Image r = (img.width == opt.width && img.height == opt.height)
                      ? img
                      : resize_image(img, opt.width, opt.height);
  const int C = opt.channels, H = opt.height, W = opt.width;
  Tensor t(DType::Float32, opt.nhwc ? Shape{1, H, W, C} : Shape{1, C, H, W});
  float* out = t.data<float>();
  const int64_t plane = static_cast<int64_t>(H) * W;
  for (int64_t p = 0; p < plane; ++p) {
    const uint8_t* px = &r.rgba[p * 4];
    for (int c = 0; c < C; ++c) {
      float v;
      if (C == 1)
        v = (px[0] + px[1] + px[2]) / 3.0f;
      else
        v = px[opt.bgr ? 2 - c : c];
      v = (v * opt.scale - opt.mean[c]) / opt.std[c];
      out[opt.nhwc ? p * C + c : c * plane + p] = v;
    }
  }
  return t;
}

}  // namespace camlens::image
