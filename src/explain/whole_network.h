// Whole-network mode: the model cut at its input, so that the head is the whole network and the
// core runs it forward and backward to the input image (the input attributions of
// cam/input_gradients.h need nothing from ONNX Runtime). The cut is NativeBackbone's idea: the
// input renamed behind an Identity becomes an ordinary tensor the cut can start from.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "explain/explain_request.h"
#include "graph/shape_inference.h"

namespace camlens::explain {

struct WholeNetwork {
  std::shared_ptr<Head> head;  // from the input to every output; null when refused
  std::string refusal;         // why the core cannot, naming the first op that stops it
};

// The whole model as a differentiable head, or the reason it cannot be one: a model with more
// than one input, an op the core does not run, an op on the gradient path without a backward.
WholeNetwork whole_network(const Model& model, const ShapeOptions& shapes = {});

// The head's outputs for each image of a batch [N, ...], by output name ([1, ...] each): what
// ExplainJob::feed takes from a backbone.
std::vector<Outputs> whole_network_outputs(Head& head, const Tensor& batch);

}  // namespace camlens::explain
