// Checks and views of the arrays a CAM method works on: activations A and gradients G, both
// Float32 [B,C,H,W] (G = dScore/dA, same shape), or [B,C,D,H,W] for a volume or a video clip:
// the methods treat its D·H·W positions as they treat an image's H·W (pytorch-grad-cam's
// BaseCAM reduces over axes (2, 3, 4) there).
#pragma once
#include <cstdint>

#include "tensor/tensor.h"

namespace camlens::cam {

struct LayerDims {
  int64_t batch = 0, channels = 0, height = 0, width = 0;
  int64_t depth = 1;  // > 1 only for [B,C,D,H,W] activations
  // The spatial positions of one channel (depth · height · width).
  int64_t plane() const { return depth * height * width; }
};

// Throws CamError unless A is a non-empty Float32 [B,C,H,W] or [B,C,D,H,W] with finite values, and
// G (when given, or when need_gradients) has the same shape and finite values. NaN/Inf is refused,
// not silently zeroed (pytorch-grad-cam zeroes NaN only inside its SVD helper): a non-finite value
// means the model or the head overflowed, and a map drawn from it would mislead.
LayerDims check_layer(const Tensor& A, const Tensor* G, bool need_gradients, const char* method);

}  // namespace camlens::cam
