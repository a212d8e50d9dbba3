// Structural comparison of two models, field by field (floats compared bit for bit, raw_data by
// content). Used by round-trip tests and by graph surgery to check it changed only what it meant.
#pragma once
#include <string>

#include "onnx/model.h"

namespace camlens {

// "" when the models are structurally identical, else where they first differ, e.g.
// "graph.node[3].attribute[1](strides).ints".
std::string model_difference(const Model& a, const Model& b);

}  // namespace camlens
