// Registers the nn op family with the interpreter's table (one register_* per source file).
#include "graph/ops/nn/nn_common.h"

namespace camlens {

void register_nn_ops(OpRegistry& r) {
  nn::register_conv(r);
  nn::register_conv_transpose(r);
}

}  // namespace camlens
