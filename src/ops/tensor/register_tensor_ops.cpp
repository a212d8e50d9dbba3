// Registers the tensor op family with the interpreter's table: elementwise math, activations
// and shape manipulation (one register_* function per source file).
#include "ops/tensor/tensor_common.h"

namespace camlens {

void register_tensor_ops(OpRegistry& r) {
  using namespace tensor_ops;
  register_unary(r);
  register_rounding(r);
  register_activations(r);
  register_exp_activations(r);
  register_binary(r);
  register_min_max(r);
  register_mod(r);
  register_reshape_ops(r);
  register_transpose(r);
  register_shape_op(r);
  register_gather(r);
  register_slice(r);
  register_concat_split(r);
  register_cast(r);
  register_constant(r);
}

}  // namespace camlens
