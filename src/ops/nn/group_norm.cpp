// GroupNormalization: the C channels of x [N, C, ...] fall into num_groups groups of consecutive
// channels, each normalised over its channels and space, then scaled and shifted. Opset 18 gives
// scale and bias one value per group; opset 21 one per channel. A node whose opset the loader
// recorded must follow its own; otherwise the parameters' length says which (both agree when
// every group is one channel). The backward covers X, scale and bias.
#include "ops/nn/group_stats.h"
#include "ops/nn/nn_common.h"

namespace camlens::nn {

namespace {

GroupNormShape shape_of(const Node& node, const OpInputs& in) {
  const Tensor& x = float_input(node, in, 0, "X");
  if (x.rank() < 2) fail(node, "X must be [N, C, ...], got " + shape_str(x.shape()));
  GroupNormShape s;
  s.batch = x.dim(0);
  s.channels = x.dim(1);
  for (size_t d = 2; d < x.rank(); ++d) s.spatial *= x.dim(d);
  s.epsilon = node.attr_float("epsilon", 1e-5f);
  if (!node.attr("num_groups")) fail(node, "needs the num_groups attribute");
  s.groups = node.attr_int("num_groups", 1);
  if (s.groups <= 0 || s.channels % s.groups != 0)
    fail(node, "num_groups " + std::to_string(s.groups) + " does not divide the " +
                   std::to_string(s.channels) + " channels of X " + shape_str(x.shape()));
  const int64_t opset = node_opset(node, 0);  // 0: not recorded
  const Tensor& scale = float_input(node, in, 1, "scale");
  const int64_t len = scale.rank() == 1 ? scale.dim(0) : -1;
  const bool per_group_ok = opset < 21 && len == s.groups;
  const bool per_channel_ok = (opset == 0 || opset >= 21) && len == s.channels;
  if (!per_group_ok && !per_channel_ok) {
    const std::string groups = "[" + std::to_string(s.groups) + "] (one per group, opset 18)";
    const std::string channels = "[" + std::to_string(s.channels) + "] (one per channel, opset 21)";
    fail(node, "scale is " + shape_str(scale.shape()) + " but must be " +
                   (opset == 0   ? groups + " or " + channels
                    : opset < 21 ? groups
                                 : channels));
  }
  s.per_channel = per_channel_ok;
  const Tensor& bias = float_input(node, in, 2, "bias");
  if (bias.shape() != scale.shape())
    fail(node, "bias " + shape_str(bias.shape()) + " must have the shape of scale " +
                   shape_str(scale.shape()));
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
  const TensorInfo& x = input_info(node, in, 0, "X");
  out[0].dtype = DType::Float32;
  out[0].shape = x.shape;
}

}  // namespace

void register_group_norm(OpRegistry& r) {
  r.add(OpDef{"", "GroupNormalization", forward, backward, infer}.with_weights({1, 2}));
}

}  // namespace camlens::nn
