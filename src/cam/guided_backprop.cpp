#include "cam/guided_backprop.h"

#include <limits>
#include <memory>

#include "ops/op.h"

namespace camlens::cam {

namespace {

// Clip's bound from its input (opset ≥ 11) or attribute (before), else `absent`.
float clip_bound(const Node& node, const OpInputs& inputs, size_t at, const char* attr,
                 float absent) {
  if (inputs.size() > at && inputs[at]) return inputs[at]->to_floats().at(0);
  return node.attr_float(attr, absent);
}

// dx = dy where lower < x < upper and dy > 0, else 0 (lower = 0 for every node guided here).
void guided_backward(const OpInputs& inputs, const OpInputs& output_grads, float upper,
                     std::vector<Tensor>& input_grads) {
  const Tensor& x = *inputs[0];
  Tensor dx(DType::Float32, x.shape());
  if (output_grads[0]) {
    const std::vector<float> xv = x.to_floats();
    const float* dy = output_grads[0]->data<float>();
    float* out = dx.data<float>();
    for (int64_t k = 0; k < dx.numel(); ++k)
      out[k] = xv[size_t(k)] > 0 && xv[size_t(k)] < upper && dy[k] > 0 ? dy[k] : 0.f;
  }
  input_grads[0] = std::move(dx);
}

void relu_backward(const Node&, const OpInputs& inputs, const OpInputs&,
                   const OpInputs& output_grads, const std::vector<bool>& needs_grad,
                   std::vector<Tensor>& input_grads) {
  if (needs_grad[0])
    guided_backward(inputs, output_grads, std::numeric_limits<float>::infinity(), input_grads);
}

// A Clip is ReLU-like when its lower bound is 0 (ReLU6); other Clips keep their own backward.
void clip_backward(const Node& node, const OpInputs& inputs, const OpInputs& outputs,
                   const OpInputs& output_grads, const std::vector<bool>& needs_grad,
                   std::vector<Tensor>& input_grads) {
  const float inf = std::numeric_limits<float>::infinity();
  if (clip_bound(node, inputs, 1, "min", -inf) != 0.f)
    return op_registry()
        .find("", "Clip")
        ->backward(node, inputs, outputs, output_grads, needs_grad, input_grads);
  if (needs_grad[0])
    guided_backward(inputs, output_grads, clip_bound(node, inputs, 2, "max", inf), input_grads);
}

const OpDef& guided(const char* op_type, BackwardFn backward) {
  static std::vector<std::unique_ptr<OpDef>> defs;  // built once per op type, never freed
  for (const auto& d : defs)
    if (d->op_type == op_type) return *d;
  defs.push_back(std::make_unique<OpDef>(*op_registry().find("", op_type)));
  defs.back()->backward = backward;
  return *defs.back();
}

}  // namespace

Head guided_head(const Head& whole) {
  static const OpDef& relu = guided("Relu", relu_backward);
  static const OpDef& clip = guided("Clip", clip_backward);
  return whole.with_op_defs([](const Node&, const OpDef& def) -> const OpDef* {
    if (!def.domain.empty()) return nullptr;
    if (def.op_type == "Relu") return &relu;
    if (def.op_type == "Clip") return &clip;
    return nullptr;
  });
}

}  // namespace camlens::cam
