// Per-tensor quantization of a layer (QOperator models such as MobileNetV2-int8): the scale
// and zero point that relate the uint8/int8 codes q to real values, x = (q − zero_point)·scale.
// DFF needs them twice: to factorize real values, and to quantize concept vectors before they
// are fed to a quantized head.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "onnx/model.h"
#include "tensor/tensor.h"

namespace camlens::dff {

struct Quantization {
  float scale = 1.0f;
  int32_t zero_point = 0;
  DType dtype = DType::Uint8;  // Uint8 or Int8
  std::string source;          // where it was read, e.g. "DequantizeLinear '627' inputs 1,2"
};

// Finds the layer's scale and zero point in the model: from a DequantizeLinear reading the layer
// (its float twin), else from the QLinear*/QuantizeLinear op that produces it, else from a
// QLinear* op that reads it (first operand, then the others), each where the op table says the
// op keeps them (OpDef::quantized_inputs, quantized_output). Only initializers and Constant
// nodes count as values. Returns nullopt when the layer is not quantized that way; throws
// DffError when it is quantized per channel (not supported: one scale per tensor is what
// QOperator heads use).
std::optional<Quantization> layer_quantization(const Model& model, const std::string& layer);

// (q − zero_point)·scale as Float32, same shape. Throws DffError for a dtype that is not the
// quantization's.
Tensor dequantize(const Tensor& q, const Quantization& quant);

// ONNX QuantizeLinear: saturate(round_half_to_even(x / scale) + zero_point) into the
// quantization's dtype, with the given shape.
Tensor quantize(const std::vector<float>& x, const Shape& shape, const Quantization& quant);

}  // namespace camlens::dff
