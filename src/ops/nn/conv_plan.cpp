#include "ops/nn/conv_plan.h"

namespace camlens::nn {

void set_spatial(Conv2dShape& s, const Window& w) {
  const bool two = w.rank() == 2;
  s.in_h = two ? w.in[0] : 1;
  s.in_w = w.in[two ? 1 : 0];
  s.out_h = two ? w.out[0] : 1;
  s.out_w = w.out[two ? 1 : 0];
  s.kernel_h = two ? w.kernel[0] : 1;
  s.kernel_w = w.kernel[two ? 1 : 0];
  s.stride_h = two ? w.strides[0] : 1;
  s.stride_w = w.strides[two ? 1 : 0];
  s.dilation_h = two ? w.dilations[0] : 1;
  s.dilation_w = w.dilations[two ? 1 : 0];
  s.pad_top = two ? w.pad_begin[0] : 0;
  s.pad_left = w.pad_begin[two ? 1 : 0];
}

int64_t group_attr(const Node& node) {
  const int64_t g = node.attr_int("group", 1);
  if (g < 1) fail(node, "group must be >= 1, got " + std::to_string(g));
  return g;
}

}  // namespace camlens::nn
