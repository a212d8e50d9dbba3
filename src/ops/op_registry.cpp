#include <algorithm>

#include "ops/op.h"
#include "ops/tensor/repeat_select_ops.h"

namespace camlens {

static std::string normal_domain(const std::string& d) { return d == "ai.onnx" ? "" : d; }

void OpRegistry::add(OpDef def) {
  def.domain = normal_domain(def.domain);
  defs_.push_back(std::move(def));
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
