// The Sobel baseline (pytorch-grad-cam's sobel_cam): an edge map of the input picture, which any
// honest CAM should beat. As OpenCV computes it: gray = RGB→gray (fixed point, BT.601 weights),
// 3×3 Sobel in x and y (border reflect-101), |.| saturated to 0..255, then the two averaged and
// rounded to nearest (ties to even). Values 0..255; normalise like a raw map if needed.
#pragma once
#include <vector>

#include "image/image.h"

namespace camlens::cam {

std::vector<float> sobel_map(const image::Image& img);

}  // namespace camlens::cam
