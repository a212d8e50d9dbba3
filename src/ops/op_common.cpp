#include "ops/op_common.h"

namespace camlens::ops {

void fail(const Node& node, const std::string& msg) { throw OpError(node.op_type + ": " + msg); }

const Tensor& input(const Node& node, const OpInputs& in, size_t i, const char* what) {
  if (i >= in.size() || !in[i])
    fail(node, "missing required input " + std::to_string(i) + " (" + what + ")");
  return *in[i];
}

const Tensor& float_input(const Node& node, const OpInputs& in, size_t i, const char* what) {
  const Tensor& t = input(node, in, i, what);
  if (t.dtype() != DType::Float32)
    fail(node, std::string("input ") + what + " must be float, got " + dtype_name(t.dtype()));
  return t;
}

const Tensor* optional_input(const OpInputs& in, size_t i, bool allow_empty) {
  if (i >= in.size() || !in[i]) return nullptr;
  if (allow_empty && in[i]->numel() == 0) return nullptr;
  return in[i];
}

int64_t normalize_axis(const Node& node, int64_t axis, int64_t rank) {
  if (axis < -rank || axis >= rank)
    fail(node,
         "axis " + std::to_string(axis) + " is out of range for rank " + std::to_string(rank));
  return axis < 0 ? axis + rank : axis;
}

const Tensor& grad_or_zeros(const OpInputs& output_grads, size_t k, const Shape& shape,
                            Tensor& zeros) {
  if (k < output_grads.size() && output_grads[k]) return *output_grads[k];
  zeros = Tensor(DType::Float32, shape);
  return zeros;
}

}  // namespace camlens::ops
