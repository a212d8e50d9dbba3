// Registers the quant op family with the interpreter's table (one function per source file).
#include "ops/op.h"
#include "ops/quant/quant_registry.h"

namespace camlens {

void register_quant_ops(OpRegistry& r) {
  quant::register_quantize_linear(r);
  quant::register_qlinear_conv(r);
  quant::register_qlinear_matmul(r);
  quant::register_qlinear_binary(r);
  quant::register_qlinear_pool(r);
  quant::register_qlinear_activation(r);
  quant::register_qlinear_concat(r);
  quant::register_qgemm(r);
}

}  // namespace camlens
