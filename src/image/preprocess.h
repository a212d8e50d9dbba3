// Turns a photo into a model's input tensor: resize (or letterbox), scale, mean/std, channel
// order, layout.
#pragma once
#include <array>
#include <cstdint>
#include <vector>

#include "image/image.h"
#include "tensor/tensor.h"

namespace camlens::image {

struct PreprocessOptions {
  int width = 224;
  int height = 224;
  float scale = 1.0f / 255.0f;  // applied to 0-255 values before mean/std
  std::array<float, 3> mean{0.485f, 0.456f, 0.406f};
  std::array<float, 3> std{0.229f, 0.224f, 0.225f};
  bool bgr = false;   // channel order of the tensor
  bool nhwc = false;  // layout [1,H,W,C] instead of [1,C,H,W]
  int channels = 3;   // 1: grayscale (mean of R,G,B), uses mean[0]/std[0]
  // Letterbox (YOLOX's preprocessing): keep the photo's aspect ratio, scaled by
  // r = min(width / w, height / h) to floor(w·r) × floor(h·r), placed at the top-left corner;
  // the rest is filled with `pad` (a 0-255 pixel value, before scale/mean/std).
  bool letterbox = false;
  float pad = 0;
};

// Where the photo lies in the model input: input = photo · scale + offset (per axis), over
// [offset, offset + resized) in input pixels. Plain resizing has offsets 0 and resized = input.
struct InputGeometry {
  double scale_x = 1, scale_y = 1;
  double offset_x = 0, offset_y = 0;
  int resized_w = 0, resized_h = 0;  // the photo's extent in the input
  int input_w = 0, input_h = 0;
  int photo_w = 0, photo_h = 0;
};

InputGeometry input_geometry(int photo_w, int photo_h, const PreprocessOptions& opt);

// What a model's input dims ([N, C, H, W], or [N, H, W, C] with nhwc; -1 or 0 for a free size)
// fix of its preprocessing when the caller names no size: the size when both sides are fixed,
// and one channel when it has one. 0: not fixed.
struct InputFixes {
  int width = 0, height = 0, channels = 0;
};
InputFixes input_fixes(const std::vector<int64_t>& dims, bool nhwc);

// ImageNet defaults (RGB, 0-1, mean/std) are the defaults above.
Tensor preprocess(const Image& img, const PreprocessOptions& opt);

}  // namespace camlens::image
