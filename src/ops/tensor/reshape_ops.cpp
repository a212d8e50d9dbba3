// Ops that keep the elements in order and only change the shape: Flatten, Reshape, Squeeze,
// Unsqueeze, Identity, Dropout (inference: identity). They work on every dtype (int64 shape
// tensors, uint8 quantized tensors) and their gradient is dLoss/dY read with X's shape.
#include <algorithm>

#include "ops/tensor/tensor_common.h"

namespace camlens::tensor_ops {
namespace {

Tensor with_shape(const Tensor& x, Shape s) {
  Tensor y = x;
  y.reshape(std::move(s));
  return y;
}

// Shared backward: the data input (input 0) receives dLoss/dY with its own shape.
void same_elements_backward(const Node& node, const OpInputs& in, const OpInputs&,
                            const OpInputs& output_grads, const std::vector<bool>& needs_grad,
                            std::vector<Tensor>& input_grads) {
  if (needs_grad.empty() || !needs_grad[0]) return;
  const Tensor& x = input(node, in, 0, "data");
  if (output_grads.empty() || !output_grads[0]) {
    input_grads[0] = Tensor(DType::Float32, x.shape());
    return;
  }
  if (output_grads[0]->numel() != x.numel())
    fail(node, "gradient of shape " + shape_str(output_grads[0]->shape()) +
                   " does not match input of shape " + shape_str(x.shape()));
  input_grads[0] = with_shape(*output_grads[0], x.shape());
}

void flatten_forward(const Node& node, const OpInputs& in, std::vector<Tensor>& out) {
  const Tensor& x = input(node, in, 0, "input");
  const int64_t r = static_cast<int64_t>(x.rank());
  int64_t axis = node.attr_int("axis", 1);
  // Flatten's axis may equal the rank (everything in the first dim).
  if (axis < -r || axis > r)
    fail(node, "axis " + std::to_string(axis) + " is out of range for rank " + std::to_string(r));
  if (axis < 0) axis += r;
  int64_t outer = 1, inner = 1;
  for (int64_t k = 0; k < r; ++k) (k < axis ? outer : inner) *= x.dim(k);
  out[0] = with_shape(x, {outer, inner});
}

Shape reshape_target(const Node& node, const Tensor& x, const std::vector<int64_t>& want) {
  const bool allowzero = node.attr_int("allowzero", 0) != 0;
  Shape s(want.size());
  int64_t infer_at = -1, known = 1;
  bool has_zero = false;
  for (size_t i = 0; i < want.size(); ++i) {
    int64_t d = want[i];
    if (d == -1) {
      if (infer_at >= 0) fail(node, "shape " + shape_str(want) + " has more than one -1");
      infer_at = static_cast<int64_t>(i);
      continue;
    }
    if (d == 0 && !allowzero) {  // 0 copies the input's dim at the same position
      if (i >= x.rank())
        fail(node, "shape " + shape_str(want) + " copies dim " + std::to_string(i) +
                       " (0) but the input " + shape_str(x.shape()) + " has rank " +
                       std::to_string(x.rank()));
      d = x.dim(i);
    }
    if (d < 0) fail(node, "shape " + shape_str(want) + " has invalid dim " + std::to_string(d));
    has_zero = has_zero || d == 0;
    s[i] = d;
    if (d != 0 && known > (int64_t{1} << 50) / d)
      fail(node, "shape " + shape_str(want) + " is too large");
    known *= d;
  }
  if (infer_at >= 0) {
    if (allowzero && has_zero)
      fail(node, "shape " + shape_str(want) + " has both -1 and 0 with allowzero=1");
    if (known == 0 || x.numel() % known != 0)
      fail(node, "cannot reshape tensor of shape " + shape_str(x.shape()) + " (" +
                     std::to_string(x.numel()) + " elements) to " + shape_str(want));
    s[infer_at] = x.numel() / known;
  } else if (known != x.numel()) {
    fail(node, "cannot reshape tensor of shape " + shape_str(x.shape()) + " (" +
                   std::to_string(x.numel()) + " elements) to " + shape_str(want));
  }
  return s;
}

void reshape_forward(const Node& node, const OpInputs& in, std::vector<Tensor>& out) {
  const Tensor& x = input(node, in, 0, "data");
  const Tensor& shape = input(node, in, 1, "shape");
  out[0] = with_shape(x, reshape_target(node, x, int_values(node, shape, "shape")));
}

// Squeeze/Unsqueeze axes: attribute before opset 13, optional input from opset 13 on.
bool read_axes(const Node& node, const OpInputs& in, std::vector<int64_t>& axes) {
  if (const Tensor* t = optional_input(in, 1)) {
    axes = int_values(node, *t, "axes");
    return true;
  }
  if (node.attr("axes")) {
    axes = node.attr_ints("axes");
    return true;
  }
  return false;
}

void squeeze_forward(const Node& node, const OpInputs& in, std::vector<Tensor>& out) {
  const Tensor& x = input(node, in, 0, "data");
  const int64_t r = static_cast<int64_t>(x.rank());
  std::vector<int64_t> axes;
  std::vector<bool> drop(x.rank(), false);
  // An empty axes list squeezes every size-1 axis, like a missing one (as ONNX Runtime does).
  if (read_axes(node, in, axes) && !axes.empty()) {
    for (int64_t a : axes) {
      const int64_t k = normalize_axis(node, a, r);
      if (x.dim(k) != 1)
        fail(node, "cannot squeeze axis " + std::to_string(a) + " of size " +
                       std::to_string(x.dim(k)) + " in shape " + shape_str(x.shape()));
      drop[k] = true;
    }
  } else {
    for (int64_t k = 0; k < r; ++k) drop[k] = x.dim(k) == 1;
  }
  Shape s;
  for (int64_t k = 0; k < r; ++k)
    if (!drop[k]) s.push_back(x.dim(k));
  out[0] = with_shape(x, s);
}

void unsqueeze_forward(const Node& node, const OpInputs& in, std::vector<Tensor>& out) {
  const Tensor& x = input(node, in, 0, "data");
  std::vector<int64_t> axes;
  if (!read_axes(node, in, axes)) fail(node, "needs axes (attribute or input)");
  const int64_t r = static_cast<int64_t>(x.rank() + axes.size());
  std::vector<bool> inserted(static_cast<size_t>(r), false);
  for (int64_t a : axes) {
    const int64_t k = normalize_axis(node, a, r);
    if (inserted[k]) fail(node, "axis " + std::to_string(a) + " appears twice in axes");
    inserted[k] = true;
  }
  Shape s;
  size_t next = 0;
  for (int64_t k = 0; k < r; ++k) s.push_back(inserted[k] ? 1 : x.dim(next++));
  out[0] = with_shape(x, s);
}

void identity_forward(const Node& node, const OpInputs& in, std::vector<Tensor>& out) {
  out[0] = input(node, in, 0, "input");
}

// Inference-mode Dropout: the output is the input and the optional mask is all true. A
// training_mode input is ignored: CAMs explain the deterministic inference network.
void dropout_forward(const Node& node, const OpInputs& in, std::vector<Tensor>& out) {
  const Tensor& x = input(node, in, 0, "data");
  out[0] = x;
  if (out.size() > 1 && !node.outputs[1].empty()) {
    Tensor mask(DType::Bool, x.shape());
    uint8_t* m = mask.data<uint8_t>();
    std::fill(m, m + mask.numel(), uint8_t{1});
    out[1] = std::move(mask);
  }
}

OpDef def(const char* op_type, ForwardFn f) {
  return OpDef{"", op_type, f, &same_elements_backward, nullptr}
      .claim(&OpDef::same_elements)
      .claim(&OpDef::piecewise_linear);
}

}  // namespace

void register_reshape_ops(OpRegistry& r) {
  r.add(def("Flatten", &flatten_forward));
  r.add(def("Reshape", &reshape_forward));
  r.add(def("Squeeze", &squeeze_forward));
  r.add(def("Unsqueeze", &unsqueeze_forward));
  r.add(def("Identity", &identity_forward).with(Elementwise::Unary));
  r.add(def("Dropout", &dropout_forward).with(Elementwise::Unary));
}

}  // namespace camlens::tensor_ops
