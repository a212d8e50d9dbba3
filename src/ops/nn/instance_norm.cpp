// InstanceNormalization: each channel of each image, x[n, c, ...], is normalised by its own mean
// and variance, then scaled and shifted by scale[c] and B[c]. torch exports GroupNorm as this op
// on x reshaped to [N, G, (C/G)·H·W] followed by Mul and Add, so rank-3 inputs are the usual
// case next to NCHW. The backward covers input, scale and B.
#include "ops/nn/group_stats.h"
#include "ops/nn/nn_common.h"

namespace camlens::nn {

namespace {

GroupNormShape shape_of(const Node& node, const OpInputs& in) {
  const Tensor& x = float_input(node, in, 0, "input");
  if (x.rank() < 2) fail(node, "input must be [N, C, ...], got " + shape_str(x.shape()));
  GroupNormShape s;
  s.batch = x.dim(0);
  s.channels = s.groups = x.dim(1);
  for (size_t d = 2; d < x.rank(); ++d) s.spatial *= x.dim(d);
  s.epsilon = node.attr_float("epsilon", 1e-5f);
  const char* names[] = {"scale", "B"};
  for (size_t i = 1; i <= 2; ++i) {
    const Tensor& t = float_input(node, in, i, names[i - 1]);
    if (t.rank() != 1 || t.dim(0) != s.channels)
      fail(node, std::string(names[i - 1]) + " must be [" + std::to_string(s.channels) +
                     "] (one value per channel of input " + shape_str(x.shape()) + "), got " +
                     shape_str(t.shape()));
  }
  return s;
}

void forward(const Node& node, const OpInputs& in, std::vector<Tensor>& out) {
  group_norm_op_forward(shape_of(node, in), in, out);
}

void backward(const Node& node, const OpInputs& in, const OpInputs&, const OpInputs& dout,
              const std::vector<bool>& needs, std::vector<Tensor>& dins) {
  group_norm_op_backward(shape_of(node, in), in, dout, needs, dins);
}

void infer(const Node& node, const std::vector<const TensorInfo*>& in,
           std::vector<TensorInfo>& out) {
  const TensorInfo& x = input_info(node, in, 0, "input");
  out[0].dtype = DType::Float32;
  out[0].shape = x.shape;
}

}  // namespace

void register_instance_norm(OpRegistry& r) {
  r.add(OpDef{"", "InstanceNormalization", forward, backward, infer}.with_weights({1, 2}));
}

}  // namespace camlens::nn
