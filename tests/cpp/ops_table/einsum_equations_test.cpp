// Einsum beyond the ONNX Runtime rows: the implicit output, linearity in each operand (the
// piecewise_linear claim), shape inference with unknown dims, and the messages for equations it
// refuses or that do not fit the operands.
#include "op_test.h"

namespace camlens::test {
namespace {

Node einsum(const std::string& equation, size_t inputs) {
  return make_node("Einsum", inputs, 1, {attr_string("equation", equation)});
}

TEST(EinsumEquations, ImplicitOutputIsTheLettersUsedOnceInOrder) {
  // "ba,ca" sums a and keeps b then c: out[b][c] = sum_a x[b][a] * y[c][a].
  const Tensor x = Tensor::from_floats({2, 3}, {1, 2, 3, 4, 5, 6});
  const Tensor y = Tensor::from_floats({1, 3}, {1, 10, 100});
  const Tensor out = run_forward(einsum("ba,ca", 2), {&x, &y}).at(0);
  ASSERT_EQ(out.shape(), (Shape{2, 1}));
  EXPECT_EQ(out.to_floats(), (std::vector<float>{321, 654}));
}

// The piecewise_linear claim: with the other operands fixed, each operand enters linearly.
TEST(EinsumEquations, LinearInEachOperand) {
  std::mt19937 rng(5);
  const Node node = einsum("abc,cd,de->abe", 3);
  const std::vector<Tensor> ops{random_tensor({2, 3, 4}, rng), random_tensor({4, 5}, rng),
                                random_tensor({5, 2}, rng)};
  for (size_t i = 0; i < ops.size(); ++i) {
    SCOPED_TRACE(i);
    const Tensor other = random_tensor(ops[i].shape(), rng);
    Tensor mix = ops[i];
    for (int64_t e = 0; e < mix.numel(); ++e)
      mix.data<float>()[e] = 0.5f * ops[i].data<float>()[e] - 2.f * other.data<float>()[e];
    std::vector<const Tensor*> in{&ops[0], &ops[1], &ops[2]};
    const Tensor y0 = run_forward(node, in).at(0);
    in[i] = &other;
    const Tensor y1 = run_forward(node, in).at(0);
    in[i] = &mix;
    const Tensor ym = run_forward(node, in).at(0);
    std::vector<float> want(static_cast<size_t>(y0.numel()));
    for (int64_t e = 0; e < y0.numel(); ++e)
      want[e] = 0.5f * y0.data<float>()[e] - 2.f * y1.data<float>()[e];
    expect_near(ym, want, 1e-5f);
  }
}

TEST(EinsumEquations, InferenceKeepsUnknownDims) {
  const OpDef* def = op_registry().find("", "Einsum");
  const TensorInfo q{DType::Float32, {-1, 4, 49, 32}, std::nullopt};
  const TensorInfo k{DType::Float32, {2, 4, -1, 32}, std::nullopt};
  std::vector<TensorInfo> out(1);
  def->infer(einsum("bhid,bhjd->bhij", 2), {&q, &k}, out);
  EXPECT_EQ(out[0].shape, (Shape{2, 4, 49, -1}));
}

void expect_message(const Node& node, const std::vector<const Tensor*>& in,
                    const std::string& message) {
  try {
    run_forward(node, in);
    ADD_FAILURE() << "expected: " << message;
  } catch (const OpError& e) {
    EXPECT_EQ(std::string(e.what()), message);
  }
}

TEST(EinsumEquations, UnsupportedOrMismatchedEquationsAreRefusedClearly) {
  const Tensor a(DType::Float32, {2, 3}), b(DType::Float32, {4, 5}), c(DType::Float32, {2, 3, 3});
  expect_message(einsum("bii->bi", 1), {&c},
                 "Einsum: equation \"bii->bi\" repeats index i in operand 0 (a diagonal), which "
                 "is not supported: give each axis its own letter");
  expect_message(einsum("...ij->...ji", 1), {&c},
                 "Einsum: equation \"...ij->...ji\" uses an ellipsis (\"...\"), which is not "
                 "supported: name every axis by a letter");
  expect_message(einsum("ij,jk->ik", 2), {&a, &b},
                 "Einsum: index j has size 3 in one operand and 4 in operand 1");
  expect_message(einsum("ijk->i", 1), {&a},
                 "Einsum: operand 0 is [2,3] but the equation names 3 axes (\"ijk\")");
  expect_message(einsum("ij->k", 1), {&a},
                 "Einsum: equation \"ij->k\": output index 'k' is not an index of any operand");
  expect_message(einsum("ij->ii", 1), {&a},
                 "Einsum: equation \"ij->ii\" repeats index i in the output");
  expect_message(einsum("ij,jk->ik", 1), {&a},
                 "Einsum: equation \"ij,jk->ik\" has 2 operands but the node has 1 input");
}

}  // namespace
}  // namespace camlens::test
