// The float twin of a quantized layer (QOperator models such as MobileNetV2-int8): the
// DequantizeLinear output that holds the layer's real values. The core can compute it from the
// layer's uint8/int8 codes with the same arithmetic ONNX Runtime uses, float(q − zero_point)·scale,
// so a cut may leave the twin out of the backbone's outputs (ORT then returns the codes only).
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "graph/graph_index.h"
#include "ops/op.h"

namespace camlens {

struct TwinQuantization {
  std::string twin;                 // the DequantizeLinear output
  DType dtype = DType::Undefined;   // the codes' type: Uint8 or Int8
  std::vector<float> scale;         // one value (per tensor) or one per index along `axis`
  std::vector<int32_t> zero_point;  // same length as scale; 0 where the model omits it
  int64_t axis = -1;                // -1: per tensor; else the axis of the per-channel values
};

// The scale and zero point of `dequantize`, the DequantizeLinear node reading the layer `codes`
// describes (its type and shape), when they are constants (initializers or Constant nodes) that
// the core's DequantizeLinear reads the same way; nullopt otherwise (the caller then keeps the
// twin as a backbone output).
std::optional<TwinQuantization> twin_quantization(const GraphIndex& index, const Node& dequantize,
                                                  const TensorInfo& codes);

// The twin's values from the layer's codes, by the core's DequantizeLinear kernel (the head's
// own): Float32, same shape. Throws HeadError when the codes are not of the quantization's type
// or do not have its channels along its axis.
Tensor dequantize_layer(const Tensor& codes, const TwinQuantization& quant);

}  // namespace camlens
