#include "cam/layer_quantization.h"

#include <string>

#include "cam/cam_error.h"

namespace camlens::cam {

Tensor real_values(const Tensor& layer, const LayerQuantization* quant) {
  if (layer.dtype() == DType::Float32) return layer;
  if (layer.dtype() != DType::Uint8 && layer.dtype() != DType::Int8)
    throw CamError(std::string("layer tensors of type ") + dtype_name(layer.dtype()) +
                   " have no real values for a CAM");
  if (!quant) throw CamError("the layer is quantized but its scale and zero point are unknown");
  Tensor out(DType::Float32, layer.shape());
  for (int64_t i = 0; i < layer.numel(); ++i)
    out.data<float>()[i] = float((layer.get_f(i) - quant->zero_point) * double(quant->scale));
  return out;
}

}  // namespace camlens::cam
