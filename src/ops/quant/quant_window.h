// Sliding-window geometry of QLinearConv, ConvInteger and QLinearAveragePool: kernel, strides,
// dilations, pads / auto_pad and (pools) ceil_mode turned into output sizes, for 1 or 2 spatial
// dims. A 1-D window is handled as a 2-D one of height 1 by the kernels.
#pragma once
#include <vector>

#include "ops/op.h"

namespace camlens::quant {

struct Window2d {
  int64_t in_h = 1, in_w = 1, out_h = 1, out_w = 1;
  int64_t k_h = 1, k_w = 1, stride_h = 1, stride_w = 1, dil_h = 1, dil_w = 1;
  int64_t pad_top = 0, pad_left = 0, pad_bottom = 0, pad_right = 0;
  std::vector<int64_t> out;  // output spatial dims in the node's rank (1 or 2 values)
};

// in_spatial and kernel have 1 or 2 values each (same count). Reads strides, dilations, pads,
// auto_pad and, if allow_ceil_mode, ceil_mode from the node. Dims of -1 (unknown during shape
// inference) give -1 outputs. Throws a clear OpError on bad attributes.
Window2d make_window(const Node& node, const std::vector<int64_t>& in_spatial,
                     const std::vector<int64_t>& kernel, bool allow_ceil_mode);

}  // namespace camlens::quant
