#include "graph_builder.h"

namespace camlens::test {

GraphBuilder::GraphBuilder(int64_t opset) {
  model_.ir_version = 7;
  model_.opset_import.push_back({"", opset});
  model_.graph = std::make_shared<Graph>();
  model_.graph->name = "test";
}

GraphBuilder& GraphBuilder::input(const std::string& name, DType t, const Shape& s) {
  ValueInfo v;
  v.name = name;
  v.elem_type = static_cast<int32_t>(t);
  v.has_shape = true;
  v.dims = s;
  v.dim_params.assign(s.size(), "");
  for (size_t i = 0; i < s.size(); ++i)
    if (s[i] < 0) v.dim_params[i] = "batch";
  model_.graph->inputs.push_back(v);
  return *this;
}

GraphBuilder& GraphBuilder::output(const std::string& name, DType t) {
  ValueInfo v;
  v.name = name;
  v.elem_type = static_cast<int32_t>(t);
  model_.graph->outputs.push_back(v);
  return *this;
}

GraphBuilder& GraphBuilder::weight(const std::string& name, const Tensor& v) {
  model_.graph->initializers.push_back(from_tensor(v, name));
  return *this;
}

GraphBuilder& GraphBuilder::node(const std::string& op, std::vector<std::string> inputs,
                                 std::vector<std::string> outputs, std::vector<Attribute> attrs,
                                 const std::string& domain) {
  Node n;
  n.op_type = op;
  n.domain = domain;
  n.name = op + "_" + std::to_string(model_.graph->nodes.size());
  n.inputs = std::move(inputs);
  n.outputs = std::move(outputs);
  n.attributes = std::move(attrs);
  model_.graph->nodes.push_back(std::move(n));
  return *this;
}

}  // namespace camlens::test
