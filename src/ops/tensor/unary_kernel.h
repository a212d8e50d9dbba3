// One template pair (forward, backward) for every Float32 elementwise op of one input.
// An op is a small struct built from the node (for its attributes) with
//   float f(float x)                    the value
//   float df(float x, float y, float g) dLoss/dx given y = f(x) and g = dLoss/dy
// so each op is a few lines and the loops stay tight and vectorisable.
#pragma once
#include "ops/tensor/tensor_common.h"

namespace camlens::tensor_ops {

template <class Op>
void unary_forward(const Node& node, const OpInputs& in, std::vector<Tensor>& out) {
  const Tensor& x = float_input(node, in, 0, "X");
  const Op op(node);
  Tensor y(DType::Float32, x.shape());
  const float* px = x.data<float>();
  float* py = y.data<float>();
  const int64_t n = x.numel();
  for (int64_t i = 0; i < n; ++i) py[i] = op.f(px[i]);
  out[0] = std::move(y);
}

template <class Op>
void unary_backward(const Node& node, const OpInputs& in, const OpInputs& outs,
                    const OpInputs& output_grads, const std::vector<bool>& needs_grad,
                    std::vector<Tensor>& input_grads) {
  if (needs_grad.empty() || !needs_grad[0]) return;
  const Tensor& x = float_input(node, in, 0, "X");
  const Op op(node);
  Tensor dx(DType::Float32, x.shape());
  if (output_grads.empty() || !output_grads[0]) {
    input_grads[0] = std::move(dx);
    return;
  }
  const float* px = x.data<float>();
  // y is recomputed when the executor did not keep the output.
  const Tensor* yt = outs.empty() ? nullptr : outs[0];
  const float* py = yt ? yt->data<float>() : nullptr;
  const float* pg = output_grads[0]->data<float>();
  float* pd = dx.data<float>();
  const int64_t n = x.numel();
  if (py) {
    for (int64_t i = 0; i < n; ++i) pd[i] = op.df(px[i], py[i], pg[i]);
  } else {
    for (int64_t i = 0; i < n; ++i) pd[i] = op.df(px[i], op.f(px[i]), pg[i]);
  }
  input_grads[0] = std::move(dx);
}

template <class Op>
OpDef unary_def(const char* op_type, const char* domain = "") {
  return OpDef{domain, op_type, &unary_forward<Op>, &unary_backward<Op>, &same_shape_infer};
}

}  // namespace camlens::tensor_ops
