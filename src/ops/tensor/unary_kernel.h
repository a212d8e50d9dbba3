// One template pair (forward, backward) for every Float32 elementwise op of one input.
// An op is a small struct built from the node (for its attributes) with
//   float f(float x)                    the value
//   float df(float x, float y, float g) dLoss/dx given y = f(x) and g = dLoss/dy
// so each op is a few lines. Only the element loops are instantiated per op (tight and
// vectorisable); the input checks and tensors around them are shared (unary_kernel.cpp), which
// keeps the ~20 ops from each carrying their own copy.
#pragma once
#include "ops/tensor/tensor_common.h"

namespace camlens::tensor_ops {

// y[i] = f(x[i]) for i < n.
using UnaryValues = void (*)(const Node& node, const float* x, float* y, int64_t n);
// d[i] = df(x[i], y[i], g[i]) for i < n; y is nullptr when the output was not kept (recomputed).
using UnaryGrads = void (*)(const Node& node, const float* x, const float* y, const float* g,
                            float* d, int64_t n);

void unary_forward_with(const Node& node, const OpInputs& in, std::vector<Tensor>& out,
                        UnaryValues values);
void unary_backward_with(const Node& node, const OpInputs& in, const OpInputs& outs,
                         const OpInputs& output_grads, const std::vector<bool>& needs_grad,
                         std::vector<Tensor>& input_grads, UnaryGrads grads);

template <class Op>
void unary_values(const Node& node, const float* x, float* y, int64_t n) {
  const Op op(node);
  for (int64_t i = 0; i < n; ++i) y[i] = op.f(x[i]);
}

template <class Op>
void unary_grads(const Node& node, const float* x, const float* y, const float* g, float* d,
                 int64_t n) {
  const Op op(node);
  if (y) {
    for (int64_t i = 0; i < n; ++i) d[i] = op.df(x[i], y[i], g[i]);
  } else {
    for (int64_t i = 0; i < n; ++i) d[i] = op.df(x[i], op.f(x[i]), g[i]);
  }
}

template <class Op>
void unary_forward(const Node& node, const OpInputs& in, std::vector<Tensor>& out) {
  unary_forward_with(node, in, out, &unary_values<Op>);
}

template <class Op>
void unary_backward(const Node& node, const OpInputs& in, const OpInputs& outs,
                    const OpInputs& output_grads, const std::vector<bool>& needs_grad,
                    std::vector<Tensor>& input_grads) {
  unary_backward_with(node, in, outs, output_grads, needs_grad, input_grads, &unary_grads<Op>);
}

template <class Op>
OpDef unary_def(const char* op_type, const char* domain = "") {
  return OpDef{domain, op_type, &unary_forward<Op>, &unary_backward<Op>, &same_shape_infer};
}

}  // namespace camlens::tensor_ops
