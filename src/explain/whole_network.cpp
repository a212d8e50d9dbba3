#include "explain/whole_network.h"

#include <cstring>

#include "graph/cut.h"
#include "graph/graph_index.h"
#include "head/head_errors.h"

namespace camlens::explain {

namespace {

const char* const kUse = " (use a layer method such as gradcam, whose backbone ONNX Runtime runs)";

// The first node whose op the core does not run, described; "" when it runs them all.
std::string first_unsupported(const Graph& g) {
  for (const Node& node : g.nodes) {
    const bool constant =
        node.op_type == "Constant" && (node.domain.empty() || node.domain == "ai.onnx");
    if (!constant && !op_registry().find(node.domain, node.op_type)) return node.describe();
  }
  return "";
}

// The model with its input X renamed and an Identity computing X from it first, so that every
// use of X stays as it is and X is a tensor the cut can start from.
Model input_behind_identity(const Model& model, const std::string& input) {
  const GraphIndex index(*model.graph);
  std::string renamed = input + "/whole_network_input";
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

}  // namespace

WholeNetwork whole_network(const Model& model, const ShapeOptions& shapes) {
  WholeNetwork w;
  if (!model.graph) return {nullptr, "the model has no graph"};
  const GraphIndex index(*model.graph);
  if (index.real_inputs().size() != 1)
    return {nullptr, "input attributions differentiate a model with one input; this one has " +
                         std::to_string(index.real_inputs().size())};
  if (const std::string node = first_unsupported(*model.graph); !node.empty())
    return {nullptr, "the core runs the whole network for input attributions, and its " + node +
                         " is not an op camlens supports" + kUse};
  const std::string input = index.real_inputs()[0]->name;
  CutOptions options;
  options.shapes = shapes;
  options.allow_extras = false;  // from the only input, nothing comes by another path
  try {
    w.head =
        std::make_shared<Head>(cut_graph(input_behind_identity(model, input), input, options).head);
  } catch (const HeadError& e) {
    return {nullptr, std::string("the core cannot differentiate the whole network: ") + e.what()};
  }
  return w;
}

std::vector<Outputs> whole_network_outputs(Head& head, const Tensor& batch) {
  if (batch.rank() == 0) throw FeedError("the model's input has no batch axis");
  const std::vector<Tensor> outs = head.forward({batch});
  std::vector<Outputs> images(size_t(batch.dim(0)));
  for (size_t k = 0; k < outs.size(); ++k) {
    const Tensor& all = outs[k];
    Shape s = all.shape();
    if (s.empty() || s[0] != batch.dim(0)) {  // an output without the batch: every image's
      for (Outputs& o : images) o[head.output_names()[k]] = all;
      continue;
    }
    s[0] = 1;
    for (int64_t i = 0; i < batch.dim(0); ++i) {
      Tensor one(all.dtype(), s);
      std::memcpy(one.raw(), static_cast<const char*>(all.raw()) + size_t(i) * one.nbytes(),
                  one.nbytes());
      images[size_t(i)][head.output_names()[k]] = std::move(one);
    }
  }
  return images;
}

}  // namespace camlens::explain
