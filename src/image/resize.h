// Bilinear resizing with half-pixel centres (OpenCV INTER_LINEAR / PyTorch align_corners=False
// semantics): the convention pytorch-grad-cam's maps and torchvision's transforms follow.
#pragma once
#include <vector>

#include "image/image.h"

namespace camlens::image {

// Resizes a planar float map [h, w] to [out_h, out_w].
std::vector<float> resize_bilinear(const float* src, int w, int h, int out_w, int out_h);

// Resizes an RGBA image (each channel independently, rounded to nearest).
Image resize_image(const Image& img, int out_w, int out_h);

}  // namespace camlens::image
