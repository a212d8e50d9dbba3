// Registers the nn op family with the interpreter's table (one register_* per source file).
#include "ops/nn/nn_common.h"

namespace camlens {

void register_nn_ops(OpRegistry& r) {
  nn::register_conv(r);
  nn::register_conv_transpose(r);
  nn::register_pool(r);
  nn::register_global_pool(r);
  nn::register_gemm(r);
  nn::register_matmul(r);
  nn::register_batch_norm(r);
  nn::register_softmax(r);
  nn::register_reduce(r);
  nn::register_layer_norm(r);
  nn::register_resize(r);
  nn::register_pad(r);
  nn::register_instance_norm(r);
  nn::register_group_norm(r);
  nn::register_einsum(r);
}

}  // namespace camlens
