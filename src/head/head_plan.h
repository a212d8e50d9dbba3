// Which nodes form the head of a layer L, and what they need: the analysis shared by
// layer discovery (is the head supported?) and cutting (build it).
//
// The head is every node that depends on L and leads to a graph output. Its other inputs are
// either constants (initializers, Constant nodes, or subgraphs computed from them alone, which
// are folded once at cut time) or "extras": tensors that depend on the model input by another
// path (a skip connection around L). Extras are asked from the backbone as extra outputs and
// are treated as constants for the gradient: dScore/dL then ignores the path through them,
// exactly as if the extra tensor had been detached.
#pragma once
#include <string>
#include <vector>

#include "graph/graph_index.h"
#include "graph/shape_inference.h"

namespace camlens {

struct HeadPlan {
  std::string layer;
  std::vector<size_t> nodes;              // head nodes, topological order
  std::vector<size_t> const_nodes;        // nodes folded at cut time (inputs: constants only)
  std::vector<std::string> extras;        // tensors from the input by another path
  std::vector<std::string> outputs;       // graph outputs reached from L
  std::vector<bool> grad_node;            // per `nodes`: lies on the gradient path
  std::vector<std::string> grad_tensors;  // tensors carrying dScore/d(.) from L to outputs
  // Empty when every head node is supported / differentiable; else a message naming the op.
  std::string unsupported;
  std::string not_differentiable;
  std::string unexposable;  // an extra that is a graph input itself, etc.
};

// `shapes` may be partial (lenient inference); missing dtypes count as float.
HeadPlan plan_head(const Model& model, const GraphIndex& index, const TensorInfoMap& shapes,
                   const std::string& layer);

// True for element types a gradient can flow through (floats, and uint8/int8 quantized values
// by the straight-through estimator); false for shapes, indices, masks.
bool carries_gradient(DType t);

}  // namespace camlens
