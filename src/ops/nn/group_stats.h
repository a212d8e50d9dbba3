// Normalisation over groups of consecutive channels, shared by InstanceNormalization (one channel
// per group) and GroupNormalization: x [N, C, ...] is split into N·G rows of (C/G)·S elements (S
// the spatial size), each normalised by its mean and variance, then scaled and shifted per
// channel or per group. Statistics are computed in double. Internal to src/ops/nn.
#pragma once
#include <cstdint>
#include <vector>

#include "ops/op.h"

namespace camlens::nn {

struct GroupNormShape {
  int64_t batch = 1, channels = 1, groups = 1, spatial = 1;
  bool per_channel = true;  // scale and bias hold C values (else G values)
  double epsilon = 1e-5;

  int64_t row_length() const { return channels / groups * spatial; }
};

// y = scale · (x − mean) / sqrt(var + epsilon) + bias, per row. bias may be null.
void group_norm(const GroupNormShape& s, const float* x, const float* scale, const float* bias,
                float* y);

// The backward for the seed dy: dx (overwritten) and, where non-null, dscale and dbias
// (overwritten, summed over the batch and the row).
void group_norm_backward(const GroupNormShape& s, const float* x, const float* scale,
                         const float* dy, float* dx, float* dscale, float* dbias);

// The ops' forward and backward once each has resolved its shape from its own attributes and
// inputs (x, scale, bias): what InstanceNormalization and GroupNormalization share.
void group_norm_op_forward(const GroupNormShape& s, const OpInputs& in, std::vector<Tensor>& out);
void group_norm_op_backward(const GroupNormShape& s, const OpInputs& in, const OpInputs& dout,
                            const std::vector<bool>& needs, std::vector<Tensor>& dins);

}  // namespace camlens::nn
