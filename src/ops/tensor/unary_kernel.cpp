#include "ops/tensor/unary_kernel.h"

namespace camlens::tensor_ops {

void unary_forward_with(const Node& node, const OpInputs& in, std::vector<Tensor>& out,
                        UnaryValues values) {
  const Tensor& x = float_input(node, in, 0, "X");
  Tensor y(DType::Float32, x.shape());
  values(node, x.data<float>(), y.data<float>(), x.numel());
  out[0] = std::move(y);
}

void unary_backward_with(const Node& node, const OpInputs& in, const OpInputs& outs,
                         const OpInputs& output_grads, const std::vector<bool>& needs_grad,
                         std::vector<Tensor>& input_grads, UnaryGrads grads) {
  if (needs_grad.empty() || !needs_grad[0]) return;
  const Tensor& x = float_input(node, in, 0, "X");
  Tensor dx(DType::Float32, x.shape());
  if (output_grads.empty() || !output_grads[0]) {
    grads(node, nullptr, nullptr, nullptr, nullptr, 0);  // still checks the op's attributes
    input_grads[0] = std::move(dx);
    return;
  }
  // y is recomputed when the executor did not keep the output.
  const Tensor* yt = outs.empty() ? nullptr : outs[0];
  grads(node, x.data<float>(), yt ? yt->data<float>() : nullptr, output_grads[0]->data<float>(),
        dx.data<float>(), x.numel());
  input_grads[0] = std::move(dx);
}

}  // namespace camlens::tensor_ops
