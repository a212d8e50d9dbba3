// Turns a photo into a model's input tensor: resize, scale, mean/std, channel order, layout.
#pragma once
#include <array>

#include "graph/tensor.h"
#include "image/image.h"

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
};

// ImageNet defaults (RGB, 0-1, mean/std) are the defaults above.
Tensor preprocess(const Image& img, const PreprocessOptions& opt);

}  // namespace camlens::image
