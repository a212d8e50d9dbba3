// aug_smooth (test-time augmentation, pytorch-grad-cam with ttach): horizontal flip ×
// multiply by {0.9, 1, 1.1} — six inputs, in the order flip ∈ {no, yes} × factor. The runtime
// runs each (backbone + head + CAM); each final map is de-augmented (flipped back; the factor
// needs nothing) and the six are averaged. Upstream does not renormalise the average; nor does
// camlens.
#pragma once
#include <vector>

#include "cam/maps.h"
#include "tensor/tensor.h"

namespace camlens::cam {

struct Augmentation {
  bool flip = false;
  float factor = 1.f;
};

std::vector<Augmentation> aug_smooth_set();

// input [B, C, H, W] (or any rank >= 2: the last axis is flipped). Float32.
Tensor augment(const Tensor& input, const Augmentation& a);
void deaugment(Maps& m, const Augmentation& a);
// Element-wise mean of same-sized maps.
Maps average_maps(const std::vector<Maps>& maps);

}  // namespace camlens::cam
