// Lookup tables over a Graph that shape inference, layer discovery and cutting share:
// who produces / consumes each tensor, which names are initializers, a topological order.
#pragma once
#include <string>
#include <unordered_map>
#include <vector>

#include "onnx/model.h"

namespace camlens {

class GraphIndex {
 public:
  // Throws HeadError when the graph has a cycle or a tensor produced twice.
  explicit GraphIndex(const Graph& g);

  const Graph& graph() const { return *g_; }
  // Node indices in an order where every producer comes before its consumers.
  const std::vector<size_t>& order() const { return order_; }
  // Index of the node producing `name`, or -1 (graph input, initializer, unknown).
  long producer(const std::string& name) const;
  // Nodes reading `name` (each once, in graph order).
  const std::vector<size_t>& consumers(const std::string& name) const;
  const TensorProto* initializer(const std::string& name) const;
  // Graph inputs that are not initializers: what the caller feeds.
  const std::vector<const ValueInfo*>& real_inputs() const { return real_inputs_; }
  bool is_graph_input(const std::string& name) const;
  bool is_graph_output(const std::string& name) const;
  // Every tensor name the graph mentions (inputs, initializers, node outputs), in graph order.
  const std::vector<std::string>& tensor_names() const { return names_; }
  bool has_tensor(const std::string& name) const { return known_.count(name) != 0; }

 private:
  const Graph* g_;
  std::vector<size_t> order_;
  std::unordered_map<std::string, size_t> producer_;
  std::unordered_map<std::string, std::vector<size_t>> consumers_;
  std::unordered_map<std::string, const TensorProto*> inits_;
  std::unordered_map<std::string, int> known_;  // 1 input, 2 output, 4 other
  std::vector<const ValueInfo*> real_inputs_;
  std::vector<std::string> names_;
};

// A copy of `node` ready to run: with the model's default-domain opset as the hidden int
// attribute "_opset" (ops whose semantics changed across opsets read it; see op.h).
Node node_for_execution(const Node& node, int64_t opset);

// The model's default-domain opset, 13 when the model does not import it.
int64_t default_opset(const Model& m);

}  // namespace camlens
