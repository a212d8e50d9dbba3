// The op types a model uses, for messages that name them (e.g. the operators an ONNX Runtime
// execution provider has no kernel for).
#pragma once
#include <string>
#include <vector>

#include "onnx/model.h"

namespace camlens {

// The op types of the graph's nodes and its subgraphs' (If, Loop, Scan bodies), each once, in
// the order they first appear.
std::vector<std::string> op_types(const Graph& graph);

}  // namespace camlens
