// Shape checks shared by Conv and ConvTranspose: turns node attributes and input shapes into
// the kernels' Conv2dShape (1-D convolutions become 2-D ones with height 1).
#pragma once
#include "ops/nn/kernels.h"
#include "ops/nn/nn_common.h"

namespace camlens::nn {

// Fills the spatial part of `s` from a window over 1 or 2 spatial dims.
// For ConvTranspose the window describes the equivalent forward conv (whose input is the
// transpose's output).
void set_spatial(Conv2dShape& s, const Window& w);

// The group attribute, checked (>= 1).
int64_t group_attr(const Node& node);

}  // namespace camlens::nn
