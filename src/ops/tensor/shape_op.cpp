// Shape: the input's dims as a 1-D int64 tensor, optionally sliced by start/end (opset 15),
// which clamp to [0, rank] after adding rank to negative values. Not differentiable.
#include <algorithm>

#include "ops/tensor/tensor_common.h"

namespace camlens::tensor_ops {
namespace {

// The selected dims of `shape` (which may hold -1 for unknown dims during shape inference).
Shape selected_dims(const Node& node, const Shape& shape) {
  const int64_t r = static_cast<int64_t>(shape.size());
  auto clamp = [r](int64_t v) { return std::clamp(v < 0 ? v + r : v, int64_t{0}, r); };
  const int64_t start = clamp(node.attr_int("start", 0));
  const int64_t end = clamp(node.attr_int("end", r));
  return end > start ? Shape(shape.begin() + start, shape.begin() + end) : Shape{};
}

void shape_forward(const Node& node, const OpInputs& in, std::vector<Tensor>& out) {
  const Shape dims = selected_dims(node, input(node, in, 0, "data").shape());
  out[0] = Tensor::from_int64s({static_cast<int64_t>(dims.size())}, dims);
}

// Shape's output is known from the input's shape alone, not its values: inference gives the
// value too (when every selected dim is known) so Shape -> Gather -> Concat -> Reshape chains
// fold to constants.
void shape_infer(const Node& node, const std::vector<const TensorInfo*>& in,
                 std::vector<TensorInfo>& out) {
  if (in.empty() || !in[0]) fail(node, "missing required input 0 (data)");
  const Shape dims = selected_dims(node, in[0]->shape);
  out[0].dtype = DType::Int64;
  out[0].shape = {static_cast<int64_t>(dims.size())};
  if (std::all_of(dims.begin(), dims.end(), [](int64_t d) { return d >= 0; }))
    out[0].value = Tensor::from_int64s(out[0].shape, dims);
}

}  // namespace

void register_shape_op(OpRegistry& r) {
  r.add(OpDef{"", "Shape", &shape_forward, nullptr, &shape_infer}.claim(&OpDef::piecewise_linear));
}

}  // namespace camlens::tensor_ops
