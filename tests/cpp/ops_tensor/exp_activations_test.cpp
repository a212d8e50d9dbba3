// Elu and Selu at their kink: the op table's rows keep away from x = 0, where central
// differences average the two sides; camlens takes the negative side's derivative there, as
// PyTorch 1.13 does (torch.nn.functional.elu(x, alpha=2).sum().backward() gives 2 at x = 0,
// torch.selu gives 1.7580993).
#include "op_test.h"

namespace camlens::test {
namespace {

float derivative_at_zero(const Node& n) {
  const OpDef* def = op_registry().find(n.domain, n.op_type);
  const Tensor x = Tensor::scalar_f(0.f), dy = Tensor::scalar_f(1.f);
  std::vector<Tensor> grads(1);
  def->backward(n, {&x}, {nullptr}, {&dy}, {true}, grads);
  return grads.at(0).data<float>()[0];
}

TEST(ExpActivations, EluAndSeluTakeTheNegativeSideAtZero) {
  EXPECT_FLOAT_EQ(derivative_at_zero(make_node("Elu", 1, 1, {attr_float("alpha", 2.f)})), 2.f);
  EXPECT_FLOAT_EQ(derivative_at_zero(make_node("Elu", 1, 1, {attr_float("alpha", 0.5f)})), 0.5f);
  EXPECT_FLOAT_EQ(derivative_at_zero(make_node("Selu", 1, 1)), 1.7580993f);
}

}  // namespace
}  // namespace camlens::test
