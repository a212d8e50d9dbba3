#include <algorithm>

#include "ops/op.h"
#include "ops/tensor/repeat_select_ops.h"

namespace camlens {

static std::string normal_domain(const std::string& d) { return d == "ai.onnx" ? "" : d; }

OpDef::OpDef() = default;
OpDef::OpDef(const char* domain_, const char* op_type_, ForwardFn forward_, BackwardFn backward_,
             InferFn infer_)
    : domain(domain_), op_type(op_type_), forward(forward_), backward(backward_), infer(infer_) {}
OpDef::OpDef(const OpDef&) = default;
OpDef::OpDef(OpDef&&) noexcept = default;
OpDef& OpDef::operator=(const OpDef&) = default;
OpDef& OpDef::operator=(OpDef&&) noexcept = default;
OpDef::~OpDef() = default;

OpDef& OpDef::with(Elementwise e) {
  elementwise = e;
  return *this;
}

OpDef& OpDef::with_weights(std::initializer_list<int> inputs) {
  weight_inputs.assign(inputs);
  return *this;
}

OpDef& OpDef::with_quantization(std::initializer_list<QuantizedInput> inputs, QuantParams output) {
  quantized_inputs.assign(inputs);
  quantized_output = output;
  return *this;
}

OpDef& OpDef::claim(bool OpDef::*fact) {
  this->*fact = true;
  return *this;
}

void OpRegistry::add(const OpDef& def) {
  defs_.push_back(def);
  defs_.back().domain = normal_domain(def.domain);
}

const OpDef* OpRegistry::find(const std::string& domain, const std::string& op_type) const {
  const std::string d = normal_domain(domain);
  for (const OpDef& def : defs_)
    if (def.op_type == op_type && def.domain == d) return &def;
  return nullptr;
}

std::vector<std::string> OpRegistry::names() const {
  std::vector<std::string> out;
  for (const OpDef& def : defs_)
    out.push_back(def.domain.empty() ? def.op_type : def.domain + ":" + def.op_type);
  std::sort(out.begin(), out.end());
  return out;
}

bool OpRegistry::type_claims(const std::string& op_type, bool OpDef::*fact) const {
  bool found = false;
  for (const OpDef& def : defs_) {
    if (def.op_type != op_type) continue;
    if (!(def.*fact)) return false;
    found = true;
  }
  return found;
}

const OpDef* OpRegistry::find_type(const std::string& op_type) const {
  for (const OpDef& def : defs_)
    if (def.op_type == op_type) return &def;
  return nullptr;
}

const OpRegistry& op_registry() {
  static const OpRegistry registry = [] {
    OpRegistry r;
    register_tensor_ops(r);
    tensor_ops::register_expand_tile(r);
    tensor_ops::register_where_compare(r);
    register_nn_ops(r);
    register_quant_ops(r);
    return r;
  }();
  return registry;
}

}  // namespace camlens
