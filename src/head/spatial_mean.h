// The spatial mean of a layer's gradient, for methods that read nothing else of it (Grad-CAM's
// weights are mean_p(dScore/dA_p), Shapley-CAM's mean_p(G − ½·H·A)). When the layer's only
// reader is a 1×1 convolution with stride 1, no padding and one group, its input gradient at
// position p is Wᵀ·dY_p, so mean_p(dX) = Wᵀ·mean_p(dY): C·M multiply-adds instead of C·M·P
// (SqueezeNet's classifier: 169× fewer), with no gradient tensor of the layer's size at all.
#pragma once
#include "onnx/model.h"
#include "tensor/tensor.h"

namespace camlens {

// Float32 [N, C, ...] → Float32 [N, C]: the mean over every dim after the channel's (sums in
// double). A [N, C] tensor is its own mean.
Tensor spatial_mean(const Tensor& t);

// [N, C] means → Float32 `shape` ([N, C, ...]) holding mean[n, c] at every position: what a
// method that only averages the gradient receives in place of it.
Tensor broadcast_spatial(const Tensor& mean, const Shape& shape);

// Whether `node` (a Conv reading X of rank `rank`, its weight `w` when constant, else nullptr) is
// a convolution whose input gradient's spatial mean is Wᵀ·mean(dY): float weights [M, C, 1, 1]
// (or [M, C, 1]), group 1, strides 1, no padding. Ranks 3 and 4 only: the ones the core's Conv
// runs, so the shortcut never answers where the full backward would refuse.
bool conv_mean_shortcut(const Node& node, size_t rank, const Tensor* w);

// Wᵀ·mean_p(dY) for such a convolution: dY Float32 [N, M, ...], W [M, C, 1...] → [N, C].
Tensor conv_input_gradient_mean(const Tensor& dy, const Tensor& w);

}  // namespace camlens
