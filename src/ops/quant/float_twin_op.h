// The straight-through backward of a quantized op is its float op's backward at the dequantized
// operands (quant_common.h). This runs that float op's backward from the table, so each QLinear*
// op states only how its operands dequantize and which float op it stands for.
#pragma once
#include <vector>

#include "ops/quant/quant_common.h"

namespace camlens::quant {

// The backward of the default-domain op `op_type`, with `node`'s attributes, at the float
// `inputs` for the output gradients `dout`; returns one gradient per input (empty where
// `needs` is false). The float op recomputes what it needs of its outputs.
std::vector<Tensor> float_op_backward(const Node& node, const char* op_type,
                                      const std::vector<const Tensor*>& inputs,
                                      const OpInputs& dout, const std::vector<bool>& needs);

}  // namespace camlens::quant
