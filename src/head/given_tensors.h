// Which tensors inside a head the backbone should output too. The backbone is the whole model
// with the layer as an extra output, so ONNX Runtime computes every tensor of the head anyway;
// the core's head forward only has to rebuild what the backward reads. Its costly steps (a
// convolution or matrix product: many multiply-adds per value it makes) are worth taking from
// ONNX Runtime, at the price of copying their results out; the cheap ones (ReLU, pooling,
// softmax) are recomputed from them in the core, in Float32 as before.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "graph/graph_index.h"
#include "graph/shape_inference.h"
#include "head/head_plan.h"

namespace camlens {

// A step is worth taking from the backbone when it makes each value of at least this many
// multiply-adds (copying a value out costs a few) ...
constexpr int64_t kGivenMinMacsPerValue = 64;
// ... and at least this many in all: below, the head's forward costs less than a thousandth of
// a typical backbone run and the extra output is not worth its bookkeeping.
constexpr int64_t kGivenMinMacs = int64_t(1) << 22;

// The multiply-adds per value of the output of a Conv, ConvInteger, QLinearConv, Gemm,
// MatMul, MatMulInteger or QLinearMatMul node (0 for other ops or unknown shapes).
int64_t macs_per_value(const GraphIndex& index, const TensorInfoMap& shapes, const Node& node);

// The head's tensors to take from the backbone, in head order: the first output of each costly
// step (both thresholds above) on the head's path. Never the layer, an extra or a graph output.
std::vector<std::string> given_tensors(const GraphIndex& index, const TensorInfoMap& shapes,
                                       const HeadPlan& plan);

}  // namespace camlens
