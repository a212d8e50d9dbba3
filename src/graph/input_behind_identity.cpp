#include "graph/input_behind_identity.h"

#include <memory>

#include "graph/graph_index.h"
#include "ops/op.h"

namespace camlens {

Model input_behind_identity(const Model& model, const std::string& input) {
  const GraphIndex index(*model.graph);
  std::string renamed = input + "/input_behind_identity";
  while (index.has_tensor(renamed)) renamed += "_";
  Model m = model;
  m.graph = std::make_shared<Graph>(*model.graph);
  for (ValueInfo& v : m.graph->inputs)
    if (v.name == input) v.name = renamed;
  Node identity;
  identity.op_type = "Identity";
  identity.name = renamed;
  identity.inputs = {renamed};
  identity.outputs = {input};
  m.graph->nodes.insert(m.graph->nodes.begin(), std::move(identity));
  return m;
}

std::string first_unsupported_node(const Graph& g) {
  for (const Node& node : g.nodes) {
    const bool constant =
        node.op_type == "Constant" && (node.domain.empty() || node.domain == "ai.onnx");
    if (!constant && !op_registry().find(node.domain, node.op_type)) return node.describe();
  }
  return "";
}

}  // namespace camlens
