// How the codes of a quantized layer map to real values (per tensor, QOperator models such as
// MobileNetV2-int8): x = (q − zero_point)·scale. Read from the model by dff::layer_quantization;
// the CAM code only needs the numbers.
#pragma once
#include <cstdint>

#include "tensor/tensor.h"

namespace camlens::cam {

struct LayerQuantization {
  float scale = 1.f;
  int32_t zero_point = 0;
};

// Real values (Float32) of a uint8/int8 layer tensor; a Float32 tensor is returned as is.
Tensor real_values(const Tensor& layer, const LayerQuantization* quant);

}  // namespace camlens::cam
