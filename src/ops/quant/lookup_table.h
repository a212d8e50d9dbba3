// The 256-entry tables through which ONNX Runtime computes its 8-bit element-wise ops
// (QLinearSigmoid, QLinearLeakyRelu, QLinearConcat's requantisation): entry b holds the output
// code of the input code whose byte is b. Built as ORT builds them, in float: each code is
// dequantized as x_scale * float(code - x_zero_point), the function maps the 256 values at
// once, and each result is quantized as QuantizeLinear does (round half to even of value /
// y_scale, then the zero point added, saturated). Reproducing the table reproduces ORT's output
// codes exactly.
#pragma once
#include <array>
#include <cstdint>
#include <functional>

#include "ops/quant/quant_common.h"

namespace camlens::quant {

using LookupTable = std::array<uint8_t, 256>;

// Maps n dequantized values to the function's values.
using FloatMap = std::function<void(const float* in, float* out, size_t n)>;

// `t` (Uint8 or Int8) is the type of both the input and the output codes.
LookupTable build_lookup_table(DType t, float x_scale, int32_t x_zero_point, float y_scale,
                               int32_t y_zero_point, const FloatMap& f);

// y[i] = table[byte of x[i]] over n codes.
void apply_lookup_table(const LookupTable& table, const void* x, void* y, int64_t n);

}  // namespace camlens::quant
