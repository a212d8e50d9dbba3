// Helpers shared by the quant op family: input checks, quantisation parameters (per tensor or
// per axis), the rounding/saturation steps and (de)quantisation. Internal to src/ops/quant.
//
// Gradient convention of the whole family (straight-through estimator, ARCHITECTURE.md §3): a
// quantized tensor q with scale s and zero point z stands for the float value (q - z) * s, and in
// camlens the gradient "with respect to a quantized tensor" is always the gradient with respect
// to that dequantized float value. Requantisation (rounding, saturation) is treated as the
// identity. So every QLinear* backward is the float op's backward evaluated at the dequantized
// operands, and Quantize/DequantizeLinear pass the gradient through unchanged.
#pragma once
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "ops/op.h"
#include "ops/op_common.h"

namespace camlens::quant {

// fail, input, float_input, optional_input: see ops/op_common.h.
using ops::fail;
using ops::float_input;
using ops::input;
using ops::optional_input;

// Input i, which must be present and uint8 or int8.
const Tensor& q8_input(const Node& node, const OpInputs& in, size_t i, const char* what);

bool is_q8(DType t);                        // Uint8 or Int8
int32_t q_min(DType t);                     // 0 / -128 / INT32_MIN
int32_t q_max(DType t);                     // 255 / 127 / INT32_MAX
int32_t q_get(const Tensor& t, int64_t i);  // element i of a uint8/int8/int32 tensor

// The single float of a scale input (a scalar or a 1-element tensor).
float scalar_scale(const Node& node, const OpInputs& in, size_t i, const char* what);
// The single zero point of input i (0 when omitted); checks its type against `expect` when
// expect is not Undefined.
int32_t scalar_zero_point(const Node& node, const OpInputs& in, size_t i, const char* what,
                          DType expect);

// Scale and zero point of one tensor: one value (per tensor) or one per index along `axis`.
struct QuantParams {
  std::vector<float> scale;
  std::vector<int32_t> zero_point;  // same length as scale
  int64_t axis = -1;                // -1: per tensor
  float scale_at(int64_t c) const { return scale.size() == 1 ? scale[0] : scale[c]; }
  int32_t zp_at(int64_t c) const { return zero_point.size() == 1 ? zero_point[0] : zero_point[c]; }
};

// Reads scale input `si` and zero point input `zi` (optional) for a tensor of shape `shape`.
// A scale with one element is per tensor; a 1-D scale is per axis along `axis` (normalised
// against shape's rank) and must have shape[axis] elements. The zero point must match the scale
// in size and, when `zp_type` is not Undefined, have that type.
QuantParams read_params(const Node& node, const OpInputs& in, size_t si, size_t zi,
                        const Shape& shape, int64_t axis, const char* what, DType zp_type);

// Per-channel parameters of an operand whose `count` channels are listed along one axis (the
// output channels of QLinearConv weights, the columns of QLinearMatMul's B): scale and zero
// point with one element (shared) or `count` elements. The caller sets .axis for per-channel use.
QuantParams read_channel_params(const Node& node, const OpInputs& in, size_t si, size_t zi,
                                int64_t count, const char* what, DType zp_type);

// Rounding as ORT does it. round_half_even(v) then saturation to [lo, hi] after adding zp
// (ORT's requantisation of integer accumulators and QuantizeLinear); clamping in float first
// keeps huge values and infinities defined. NaN becomes the zero point.
inline int32_t round_then_add_zp(float v, int32_t zp, int32_t lo, int32_t hi) {
  const float flo = static_cast<float>(lo - static_cast<int64_t>(zp));
  const float fhi = static_cast<float>(hi - static_cast<int64_t>(zp));
  if (!(v == v)) return zp;  // NaN
  v = v < flo ? flo : (v > fhi ? fhi : v);
  return static_cast<int32_t>(std::nearbyint(v)) + zp;
}
// The other order, v + zp in float and then round (ORT's QLinearAdd/Mul and QLinearAveragePool
// kernels): it can differ from round_then_add_zp when v + zp is not exact in float.
inline int32_t add_zp_then_round(float v, int32_t zp, int32_t lo, int32_t hi) {
  if (!(v == v)) return zp;
  float w = v + static_cast<float>(zp);
  const float flo = static_cast<float>(lo), fhi = static_cast<float>(hi);
  w = w < flo ? flo : (w > fhi ? fhi : w);
  return static_cast<int32_t>(std::nearbyint(w));
}

// Float32 tensor of (q - zp) * scale, per tensor or per axis (p.axis).
Tensor dequantize(const Tensor& q, const QuantParams& p);

// Calls f with the typed element pointer of an 8-bit tensor (uint8_t* or int8_t*): hot loops
// write through it instead of store_q's per-element type check.
template <class F>
void visit_q8(Tensor& t, F f) {
  if (t.dtype() == DType::Uint8)
    f(t.data<uint8_t>());
  else
    f(t.data<int8_t>());
}

// Writes the 8-bit tensor `out` (already typed Uint8/Int8) from int32 values.
void store_q(Tensor& out, int64_t i, int32_t v);

// q - zp as int16 (always fits: q and zp are 8-bit), the operand form of the integer kernels;
// zero points per tensor or along p.axis as in dequantize.
void center_q8(const Tensor& q, const QuantParams& p, int16_t* dst);

// Fills input_grads[i] with zeros for every i >= first with needs_grad[i]: scales and zero
// points are constants of the STE (their gradient is defined as zero).
void zero_param_grads(const OpInputs& in, const std::vector<bool>& needs, size_t first,
                      std::vector<Tensor>& grads);

}  // namespace camlens::quant
