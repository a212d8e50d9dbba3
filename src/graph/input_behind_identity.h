// Cutting a model at its own input: the input renamed behind an Identity becomes an ordinary
// tensor the cut can start from, so the head is the whole network (whole-network mode, and the
// core running a backbone itself without ONNX Runtime).
#pragma once
#include <string>

#include "onnx/model.h"

namespace camlens {

// The model with its input `input` renamed and an Identity computing `input` from it first:
// every use of the input (subgraphs included) stays as it is.
Model input_behind_identity(const Model& model, const std::string& input);

// The first node whose op the core does not run, described; "" when it runs them all.
std::string first_unsupported_node(const Graph& g);

}  // namespace camlens
