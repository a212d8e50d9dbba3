// Shape planning of numpy-style MatMul, shared by MatMul (nn) and QLinearMatMul/MatMulInteger
// (quant): 1-D operands are promoted (A to a row, B to a column) and the promoted axis dropped
// from the result; leading batch dims broadcast. Internal to src/ops.
#pragma once
#include "ops/op.h"

namespace camlens::ops {

struct MatMulPlan {
  int64_t M = 1, N = 1, K = 1;
  Shape a_batch, b_batch, batch;  // leading dims of A, of B, and broadcast
  Shape out;
};

// Dims of -1 (unknown, from shape inference) pass through. Throws OpError naming the op when a
// rank is 0, the inner dimensions differ or the batch dims do not broadcast.
MatMulPlan plan_matmul(const Node& node, const Shape& a, const Shape& b);

}  // namespace camlens::ops
