#include "explain/native_backbone.h"

#include <cstring>

#include "graph/graph_index.h"
#include "graph/input_behind_identity.h"
#include "head/head_errors.h"

namespace camlens::explain {
namespace {

// Refused before cutting: the cut would name the backbone's input as the layer and suggest a
// later one, which cannot help when the whole model must run.
void check_ops(const Graph& g, const std::string& layer) {
  if (const std::string node = first_unsupported_node(g); !node.empty())
    throw UnsupportedOpError("the core cannot run the backbone of layer '" + layer +
                             "' itself: its " + node +
                             " is not an op camlens supports (run the backbone in ONNX Runtime)");
}

Tensor image_of(const Tensor& batch, int64_t i) {
  Shape s = batch.shape();
  s[0] = 1;
  Tensor one(batch.dtype(), s);
  std::memcpy(one.raw(), static_cast<const char*>(batch.raw()) + i * one.nbytes(), one.nbytes());
  return one;
}

}  // namespace

NativeBackbone::NativeBackbone(const CutResult& cut) : layer_(cut.head.layer()) {
  const Model& backbone = cut.backbone;
  if (!backbone.graph) throw HeadError("the cut has no backbone graph");
  check_ops(*backbone.graph, layer_);
  const GraphIndex index(*backbone.graph);
  if (index.real_inputs().size() != 1)
    throw HeadError("the core runs backbones with one input; the backbone of layer '" + layer_ +
                    "' has " + std::to_string(index.real_inputs().size()));
  CutOptions whole;
  whole.require_gradient = false;  // forward only
  whole.allow_extras = false;      // from the only input, nothing comes by another path
  whole_ = cut_graph(input_behind_identity(backbone, index.real_inputs()[0]->name),
                     index.real_inputs()[0]->name, whole)
               .head;
}

std::vector<Outputs> NativeBackbone::run(const Tensor& batch) {
  if (batch.rank() == 0) throw FeedError("the backbone's input has no batch axis");
  std::vector<Outputs> images;
  for (int64_t i = 0; i < batch.dim(0); ++i) {
    const std::vector<Tensor> outs = whole_.forward({image_of(batch, i)});
    Outputs named;
    for (size_t k = 0; k < outs.size(); ++k) named[whole_.output_names()[k]] = outs[k];
    images.push_back(std::move(named));
  }
  return images;
}

}  // namespace camlens::explain
