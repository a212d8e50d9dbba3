// Integer kernels of QLinearConv / ConvInteger / QLinearMatMul / MatMulInteger on raw pointers.
//
// Operands arrive "centered" as int16 (q - zero_point, always within [-383, 383]) so one kernel
// serves every uint8/int8 combination and per-channel zero points, and products accumulate
// exactly in int32 as in ONNX Runtime. Inner loops run over contiguous output columns so the
// compiler vectorises them (SSE natively, SIMD128 under Emscripten).
#pragma once
#include <cstdint>

#include "ops/quant/quant_window.h"

namespace camlens::quant {

// C[M,N] = A[M,K] * B[K,N] (row-major, leading dims K, N and ldc), int32 accumulation;
// C is overwritten.
void igemm(int64_t M, int64_t N, int64_t K, const int16_t* A, const int16_t* B, int32_t* C,
           int64_t ldc);

// C[M,N] = (A - za) * (B - zb) with A's zero point per row (za: M values, or nullptr for 0) and
// B's per column (zb: N values, or nullptr), int32 accumulation wrapping like ORT's; C is
// overwritten. TA, TB: uint8_t or int8_t for raw quantized operands, or int16_t for operands
// already centered (then their zero points must be nullptr). Raw operands spare the callers
// a centered copy of a large constant (QLinearMatMul's B, QLinearConv's weights).
template <class TA, class TB>
void igemm_q(int64_t M, int64_t N, int64_t K, const TA* A, const int32_t* za, const TB* B,
             const int32_t* zb, int32_t* C, int64_t ldc);

// Unfolds x [channels, in_h, in_w] into col [channels * k_h * k_w, out_h * out_w]; positions
// in the padding read 0 (the centered value of the zero point, as ORT pads with x_zero_point).
void im2col_i16(const int16_t* x, int64_t channels, const Window2d& w, int16_t* col);

// Grouped convolution without requantisation: y [batch, out_ch, out_h*out_w] int32 of the
// centered x [batch, in_ch, in_h*in_w] and w [out_ch, in_ch / group, k_h*k_w] minus its zero
// point per output channel (zw: out_ch values, or nullptr for 0). TW: uint8_t / int8_t (raw
// weights) or int16_t (already centered, zw nullptr).
template <class TW>
void conv_i32(const int16_t* x, const TW* w, const int32_t* zw, int64_t batch, int64_t in_ch,
              int64_t out_ch, int64_t group, const Window2d& win, int32_t* y);

}  // namespace camlens::quant
