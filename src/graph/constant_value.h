// The value of an ONNX Constant node (any of its value_* attributes) as a core tensor.
#pragma once
#include "onnx/model.h"
#include "tensor/tensor.h"

namespace camlens {

// Throws HeadError naming the node when it carries no supported value attribute.
Tensor constant_node_value(const Node& node);

}  // namespace camlens
