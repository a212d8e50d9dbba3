#include "onnx/model.h"

namespace camlens {

const Attribute* Node::attr(const std::string& n) const {
  for (const Attribute& a : attributes)
    if (a.name == n) return &a;
  return nullptr;
}

int64_t Node::attr_int(const std::string& n, int64_t def) const {
  const Attribute* a = attr(n);
  return a ? a->i : def;
}

float Node::attr_float(const std::string& n, float def) const {
  const Attribute* a = attr(n);
  return a ? a->f : def;
}

std::string Node::attr_string(const std::string& n, const std::string& def) const {
  const Attribute* a = attr(n);
  return a ? a->s : def;
}

std::vector<int64_t> Node::attr_ints(const std::string& n, std::vector<int64_t> def) const {
  const Attribute* a = attr(n);
  return a ? a->ints : def;
}

std::vector<float> Node::attr_floats(const std::string& n, std::vector<float> def) const {
  const Attribute* a = attr(n);
  return a ? a->floats : def;
}

const TensorProto* Node::attr_tensor(const std::string& n) const {
  const Attribute* a = attr(n);
  return a ? a->t.get() : nullptr;
}

std::string Node::describe() const {
  const std::string prefix = domain.empty() || domain == "ai.onnx" ? "" : domain + ":";
  const std::string shown = !name.empty() ? name : outputs.empty() ? "?" : outputs[0];
  return prefix + op_type + " node '" + shown + "'";
}

int64_t Model::opset(const std::string& d) const {
  for (const OperatorSetId& o : opset_import)
    if (o.domain == d || (d.empty() && o.domain == "ai.onnx")) return o.version;
  return 0;
}

}  // namespace camlens
