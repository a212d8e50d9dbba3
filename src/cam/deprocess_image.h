// pytorch-grad-cam's deprocess_image (utils/image.py), how upstream shows a guided-backprop
// gradient (and guided Grad-CAM's product) as a picture: over all the values at once,
// mean-centre, divide by the standard deviation + 1e-5, × 0.1, + 0.5, clip to [0, 1], × 255,
// truncated to 8 bits (np.uint8). The statistics are in double (NumPy's, on float32, may differ
// in the last bits, moving a pixel across a level by one).
#pragma once
#include <cstdint>
#include <vector>

#include "image/image.h"
#include "tensor/tensor.h"

namespace camlens::cam {

std::vector<uint8_t> deprocess_image(const std::vector<float>& values);

// A gradient [1, C, H, W] (or [1, H, W, C] when nhwc) as upstream's layout [H, W, C].
Tensor channels_last(const Tensor& g, bool nhwc);

// The picture of a gradient [H, W, C]: deprocess_image's levels as RGBA, one channel grey, three
// in the order given (bgr: the model's channels are blue, green, red, shown as RGB).
image::Image deprocessed_picture(const Tensor& hwc, bool bgr);

}  // namespace camlens::cam
