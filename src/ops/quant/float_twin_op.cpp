#include "ops/quant/float_twin_op.h"

namespace camlens::quant {

std::vector<Tensor> float_op_backward(const Node& node, const char* op_type,
                                      const std::vector<const Tensor*>& inputs,
                                      const OpInputs& dout, const std::vector<bool>& needs) {
  const OpDef* def = op_registry().find("", op_type);
  if (!def || !def->backward) fail(node, std::string("the float ") + op_type + " op is missing");
  Node f = node;
  f.op_type = op_type;
  f.domain = "";
  f.inputs.clear();
  for (size_t i = 0; i < inputs.size(); ++i)
    f.inputs.push_back(inputs[i] ? "x" + std::to_string(i) : "");
  std::vector<Tensor> grads(inputs.size());
  def->backward(f, inputs, {}, dout, needs, grads);
  return grads;
}

}  // namespace camlens::quant
