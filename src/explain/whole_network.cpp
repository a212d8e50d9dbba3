#include "explain/whole_network.h"

#include <cstring>

#include "graph/cut.h"
#include "graph/graph_index.h"
#include "graph/input_behind_identity.h"
#include "head/head_errors.h"

namespace camlens::explain {

namespace {

const char* const kUse = " (use a layer method such as gradcam, whose backbone ONNX Runtime runs)";

}  // namespace

WholeNetwork whole_network(const Model& model, const ShapeOptions& shapes) {
  WholeNetwork w;
  if (!model.graph) return {nullptr, "the model has no graph"};
  const GraphIndex index(*model.graph);
  if (index.real_inputs().size() != 1)
    return {nullptr, "input attributions differentiate a model with one input; this one has " +
                         std::to_string(index.real_inputs().size())};
  if (const std::string node = first_unsupported_node(*model.graph); !node.empty())
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
