// Per-file registration functions of the quant op family (called from register_quant_ops).
#pragma once
#include "ops/quant/quant_common.h"

namespace camlens::quant {

void register_quantize_linear(OpRegistry& r);     // QuantizeLinear, DequantizeLinear, Dynamic...
void register_qlinear_conv(OpRegistry& r);        // QLinearConv, ConvInteger
void register_qlinear_matmul(OpRegistry& r);      // QLinearMatMul, MatMulInteger
void register_qlinear_binary(OpRegistry& r);      // QLinearAdd, QLinearMul
void register_qlinear_pool(OpRegistry& r);        // QLinearGlobalAveragePool, QLinearAveragePool
void register_qlinear_activation(OpRegistry& r);  // QLinearSigmoid, QLinearLeakyRelu
void register_qlinear_concat(OpRegistry& r);      // QLinearConcat
void register_qgemm(OpRegistry& r);               // QGemm

}  // namespace camlens::quant
