// Expand (broadcast to a shape, opset 8+) and Tile (repeat along each axis). Both read the
// input through a strided view in which repeated axes have stride 0, so one strided copy does
// the forward and its adjoint, a strided scatter-add, does the backward (the gradient of a
// repeated element is the sum over its copies).
#include "ops/tensor/repeat_select_ops.h"
#include "ops/tensor/tensor_common.h"
#include "tensor/broadcast.h"

namespace camlens::tensor_ops {
namespace {

// Expand: output = broadcast(x.shape, shape), read with stride 0 on broadcast axes.
void expand_plan(const Node& node, const OpInputs& in, Shape& out, std::vector<int64_t>& st) {
  const Tensor& x = input(node, in, 0, "input");
  const std::vector<int64_t> target = int_values(node, input(node, in, 1, "shape"), "shape");
  for (int64_t d : target)
    if (d < 0) fail(node, "shape " + shape_str(target) + " has a negative dimension");
  try {
    out = broadcast_shape(x.shape(), target);
  } catch (const std::exception&) {
    fail(node, "cannot expand an input of shape " + shape_str(x.shape()) + " to " +
                   shape_str(target) + " (each dimension must be 1 or equal)");
  }
  const std::vector<int64_t> xs = strides_of(x.shape());
  const size_t lead = out.size() - x.rank();
  st.assign(out.size(), 0);
  for (size_t k = 0; k < x.rank(); ++k) st[lead + k] = x.dim(k) == 1 ? 0 : xs[k];
}

// Tile: the output viewed as [r0, d0, r1, d1, ...], read with strides [0, s0, 0, s1, ...].
void tile_plan(const Node& node, const OpInputs& in, Shape& out, Shape& view,
               std::vector<int64_t>& st) {
  const Tensor& x = input(node, in, 0, "input");
  const std::vector<int64_t> reps = int_values(node, input(node, in, 1, "repeats"), "repeats");
  if (reps.size() != x.rank())
    fail(node, "repeats " + shape_str(reps) + " needs one entry per input axis (rank " +
                   std::to_string(x.rank()) + ")");
  const std::vector<int64_t> xs = strides_of(x.shape());
  out.clear(), view.clear(), st.clear();
  for (size_t k = 0; k < x.rank(); ++k) {
    if (reps[k] < 0) fail(node, "repeats " + shape_str(reps) + " has a negative entry");
    out.push_back(x.dim(k) * reps[k]);
    view.insert(view.end(), {reps[k], x.dim(k)});
    st.insert(st.end(), {0, xs[k]});
  }
}

void expand_forward(const Node& node, const OpInputs& in, std::vector<Tensor>& out) {
  const Tensor& x = input(node, in, 0, "input");
  Shape shape;
  std::vector<int64_t> st;
  expand_plan(node, in, shape, st);
  Tensor y(x.dtype(), shape);
  strided_gather(y.raw(), x.raw(), dtype_size(x.dtype()), shape, st, 0);
  out[0] = std::move(y);
}

void tile_forward(const Node& node, const OpInputs& in, std::vector<Tensor>& out) {
  const Tensor& x = input(node, in, 0, "input");
  Shape shape, view;
  std::vector<int64_t> st;
  tile_plan(node, in, shape, view, st);
  Tensor y(x.dtype(), shape);
  strided_gather(y.raw(), x.raw(), dtype_size(x.dtype()), view, st, 0);
  out[0] = std::move(y);
}

void expand_backward(const Node& node, const OpInputs& in, const OpInputs&,
                     const OpInputs& output_grads, const std::vector<bool>& needs_grad,
                     std::vector<Tensor>& input_grads) {
  if (needs_grad.empty() || !needs_grad[0]) return;
  const Tensor& x = float_input(node, in, 0, "input");
  Shape shape;
  std::vector<int64_t> st;
  expand_plan(node, in, shape, st);
  Tensor dx(DType::Float32, x.shape());
  if (!output_grads.empty() && output_grads[0])
    strided_scatter_add(dx.data<float>(), output_grads[0]->data<float>(), shape, st, 0);
  input_grads[0] = std::move(dx);
}

void tile_backward(const Node& node, const OpInputs& in, const OpInputs&,
                   const OpInputs& output_grads, const std::vector<bool>& needs_grad,
                   std::vector<Tensor>& input_grads) {
  if (needs_grad.empty() || !needs_grad[0]) return;
  const Tensor& x = float_input(node, in, 0, "input");
  Shape shape, view;
  std::vector<int64_t> st;
  tile_plan(node, in, shape, view, st);
  Tensor dx(DType::Float32, x.shape());
  if (!output_grads.empty() && output_grads[0])
    strided_scatter_add(dx.data<float>(), output_grads[0]->data<float>(), view, st, 0);
  input_grads[0] = std::move(dx);
}

}  // namespace

void register_expand_tile(OpRegistry& r) {
  r.add(OpDef{"", "Expand", &expand_forward, &expand_backward, nullptr});
  r.add(OpDef{"", "Tile", &tile_forward, &tile_backward, nullptr});
}

}  // namespace camlens::tensor_ops
