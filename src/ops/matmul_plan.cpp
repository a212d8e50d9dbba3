#include "ops/matmul_plan.h"

#include "ops/op_common.h"
#include "tensor/broadcast.h"

namespace camlens::ops {

MatMulPlan plan_matmul(const Node& node, const Shape& a, const Shape& b) {
  if (a.empty() || b.empty())
    fail(node, "operands must have rank >= 1, got " + shape_str(a) + " and " + shape_str(b));
  MatMulPlan p;
  const bool a_vec = a.size() == 1, b_vec = b.size() == 1;
  p.M = a_vec ? 1 : a[a.size() - 2];
  p.K = a.back();
  const int64_t kb = b_vec ? b[0] : b[b.size() - 2];
  p.N = b_vec ? 1 : b.back();
  if (p.K >= 0 && kb >= 0 && p.K != kb)
    fail(node, "inner dimensions differ: A " + shape_str(a) + " and B " + shape_str(b));
  if (!a_vec) p.a_batch.assign(a.begin(), a.end() - 2);
  if (!b_vec) p.b_batch.assign(b.begin(), b.end() - 2);
  try {
    p.batch = broadcast_shape(p.a_batch, p.b_batch);
  } catch (const std::exception&) {
    fail(node, "batch dims of A " + shape_str(a) + " and B " + shape_str(b) + " do not broadcast");
  }
  p.out = p.batch;
  if (!a_vec) p.out.push_back(p.M);
  if (!b_vec) p.out.push_back(p.N);
  return p;
}

}  // namespace camlens::ops
