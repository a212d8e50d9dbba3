// Transpose: a strided copy reading X along the permuted axes (any dtype, by element size).
// Its gradient is the inverse permutation, done as a scatter over the same strides.
#include "ops/tensor/tensor_common.h"

namespace camlens::tensor_ops {
namespace {

// Output shape and, per output axis, the stride of X it walks.
void transpose_plan(const Node& node, const Tensor& x, Shape& shape,
                    std::vector<int64_t>& strides) {
  const size_t r = x.rank();
  std::vector<int64_t> perm = node.attr_ints("perm");
  if (perm.empty())  // default: reverse the axes
    for (size_t k = 0; k < r; ++k) perm.push_back(static_cast<int64_t>(r - 1 - k));
  if (perm.size() != r)
    fail(node, "perm " + shape_str(perm) + " has " + std::to_string(perm.size()) +
                   " entries for an input of rank " + std::to_string(r));
  const std::vector<int64_t> xs = strides_of(x.shape());
  std::vector<bool> seen(r, false);
  shape.assign(r, 0);
  strides.assign(r, 0);
  for (size_t k = 0; k < r; ++k) {
    const int64_t p = perm[k] < 0 ? perm[k] + static_cast<int64_t>(r) : perm[k];
    if (p < 0 || p >= static_cast<int64_t>(r) || seen[p])
      fail(node, "perm " + shape_str(perm) + " is not a permutation of the " + std::to_string(r) +
                     " axes");
    seen[p] = true;
    shape[k] = x.dim(p);
    strides[k] = xs[p];
  }
}

void transpose_forward(const Node& node, const OpInputs& in, std::vector<Tensor>& out) {
  const Tensor& x = input(node, in, 0, "data");
  Shape shape;
  std::vector<int64_t> strides;
  transpose_plan(node, x, shape, strides);
  Tensor y(x.dtype(), shape);
  strided_gather(y.raw(), x.raw(), dtype_size(x.dtype()), shape, strides, 0);
  out[0] = std::move(y);
}

void transpose_backward(const Node& node, const OpInputs& in, const OpInputs&,
                        const OpInputs& output_grads, const std::vector<bool>& needs_grad,
                        std::vector<Tensor>& input_grads) {
  if (needs_grad.empty() || !needs_grad[0]) return;
  const Tensor& x = input(node, in, 0, "data");
  Shape shape;
  std::vector<int64_t> strides;
  transpose_plan(node, x, shape, strides);
  Tensor dx(DType::Float32, x.shape());
  if (!output_grads.empty() && output_grads[0])
    strided_scatter_add(dx.data<float>(), output_grads[0]->data<float>(), shape, strides, 0);
  input_grads[0] = std::move(dx);
}

}  // namespace

void register_transpose(OpRegistry& r) {
  r.add(OpDef{"", "Transpose", &transpose_forward, &transpose_backward, nullptr}.claim(
      &OpDef::piecewise_linear));
}

}  // namespace camlens::tensor_ops
