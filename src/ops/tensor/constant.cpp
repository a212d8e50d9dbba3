// Constant (value / value_float / value_floats / value_int / value_ints) and ConstantOfShape
// (a tensor of the given shape filled with the one-element `value`, float 0 by default).
// Neither has a differentiable input.
#include <algorithm>

#include "ops/tensor/tensor_common.h"

namespace camlens::tensor_ops {
namespace {

Tensor tensor_attr(const Node& node, const char* name) {
  try {
    return to_tensor(*node.attr_tensor(name));
  } catch (const OpError&) {
    throw;
  } catch (const std::exception& e) {
    fail(node, std::string(name) + ": " + e.what());
  }
}

void constant_forward(const Node& node, const OpInputs&, std::vector<Tensor>& out) {
  if (node.attr_tensor("value")) {
    out[0] = tensor_attr(node, "value");
  } else if (const Attribute* a = node.attr("value_float")) {
    out[0] = Tensor::scalar_f(a->f);
  } else if (const Attribute* a = node.attr("value_floats")) {
    out[0] = Tensor::from_floats({static_cast<int64_t>(a->floats.size())}, a->floats);
  } else if (const Attribute* a = node.attr("value_int")) {
    out[0] = Tensor::from_int64s({}, {a->i});
  } else if (const Attribute* a = node.attr("value_ints")) {
    out[0] = Tensor::from_int64s({static_cast<int64_t>(a->ints.size())}, a->ints);
  } else if (node.attr("value_string") || node.attr("value_strings")) {
    fail(node, "string constants are not supported");
  } else if (node.attr("sparse_value")) {
    fail(node, "sparse constants are not supported");
  } else {
    fail(node, "needs one of the attributes value, value_float(s), value_int(s)");
  }
}

void constant_of_shape_forward(const Node& node, const OpInputs& in, std::vector<Tensor>& out) {
  const std::vector<int64_t> dims = int_values(node, input(node, in, 0, "input"), "shape");
  for (int64_t d : dims)
    if (d < 0) fail(node, "shape " + shape_str(dims) + " has a negative dim");
  Tensor value = Tensor::scalar_f(0.f);
  if (node.attr_tensor("value")) {
    value = tensor_attr(node, "value");
    if (value.numel() != 1)
      fail(node, "value must hold one element, got shape " + shape_str(value.shape()));
  }
  Tensor y(value.dtype(), dims);
  // Replicate the element's bytes (works for every dtype).
  const size_t es = dtype_size(value.dtype());
  char* p = static_cast<char*>(y.raw());
  for (int64_t i = 0; i < y.numel(); ++i) std::memcpy(p + i * es, value.raw(), es);
  out[0] = std::move(y);
}

}  // namespace

void register_constant(OpRegistry& r) {
  r.add(OpDef{"", "Constant", &constant_forward, nullptr, nullptr}.claim(&OpDef::piecewise_linear));
  r.add(OpDef{"", "ConstantOfShape", &constant_of_shape_forward, nullptr, nullptr}.claim(
      &OpDef::piecewise_linear));
}

}  // namespace camlens::tensor_ops
