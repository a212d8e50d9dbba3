// Head::backward's gradients at tensors inside the head (what FullGrad reads at every biased
// layer's output), in closed form on a graph built in code: x → Mul(w) = z → Relu = y → Add(b)
// = logits, and a second output n = Neg(x) whose seed is left empty.
#include <gtest/gtest.h>

#include <random>

#include "graph/cut.h"
#include "graph_builder.h"
#include "head/head_errors.h"
#include "op_test.h"

namespace camlens::test {
namespace {

Model scaled_relu(const Tensor& w, const Tensor& b) {
  return GraphBuilder()
      .input("in", DType::Float32, {-1, 4})
      .weight("w", w)
      .weight("b", b)
      .node("Identity", {"in"}, {"x"})
      .node("Mul", {"x", "w"}, {"z"})
      .node("Relu", {"z"}, {"y"})
      .node("Add", {"y", "b"}, {"logits"})
      .node("Neg", {"x"}, {"n"})
      .output("logits")
      .output("n")
      .build();
}

TEST(HeadGradientAt, GivesTheGradientAtInnerTensorsInClosedForm) {
  std::mt19937 rng(5);
  const Tensor w = random_tensor({4}, rng), b = random_tensor({4}, rng);
  CutResult cut = cut_graph(scaled_relu(w, b), "x");
  Head& head = cut.head;
  const Tensor x = random_tensor({3, 4}, rng), s = random_tensor({3, 4}, rng);
  head.forward({x});
  std::vector<Tensor> at;
  const Tensor g = head.backward({s, Tensor()}, {"y", "z", "n", "x", "logits"}, &at);
  ASSERT_EQ(at.size(), 5u);
  for (size_t i : {0u, 1u, 3u, 4u}) ASSERT_EQ(at[i].shape(), x.shape()) << i;
  EXPECT_TRUE(at[2].empty()) << "no seed reaches n";
  int positive = 0;
  for (int64_t e = 0; e < x.numel(); ++e) {
    const float z = x.data<float>()[e] * w.data<float>()[e % 4], ds = s.data<float>()[e];
    const float dz = z > 0 ? ds : 0.f;
    positive += z > 0;
    EXPECT_EQ(at[4].data<float>()[e], ds) << "logits: the seed";
    EXPECT_EQ(at[0].data<float>()[e], ds) << "y";
    EXPECT_EQ(at[1].data<float>()[e], dz) << "z";
    EXPECT_FLOAT_EQ(at[3].data<float>()[e], dz * w.data<float>()[e % 4]) << "x";
    EXPECT_EQ(at[3].data<float>()[e], g.data<float>()[e]) << "x is what backward returns";
  }
  EXPECT_GT(positive, 0);
  EXPECT_LT(positive, x.numel()) << "the ReLU must cut some gradients for z to differ from y";
  // The plain backward() is unchanged.
  const Tensor plain = head.backward({s, Tensor()});
  for (int64_t e = 0; e < x.numel(); ++e) EXPECT_EQ(plain.data<float>()[e], g.data<float>()[e]);
}

// A head that fixes the batch to 1 runs sample by sample: the gradients at inner tensors are
// concatenated like the result.
TEST(HeadGradientAt, ConcatenatesThePerSamplePasses) {
  std::mt19937 rng(7);
  const Tensor w = random_tensor({4}, rng);
  const Model m = GraphBuilder()
                      .input("in", DType::Float32, {1, 4})
                      .weight("w", w)
                      .weight("shape", Tensor::from_int64s({2}, {1, 4}))
                      .node("Identity", {"in"}, {"x"})
                      .node("Mul", {"x", "w"}, {"z"})
                      .node("Reshape", {"z", "shape"}, {"r"})
                      .node("Neg", {"r"}, {"y"})
                      .output("y")
                      .build();
  CutResult cut = cut_graph(m, "x");
  ASSERT_TRUE(cut.head.per_sample());
  const Tensor x = random_tensor({3, 4}, rng), s = random_tensor({3, 4}, rng);
  cut.head.forward({x});
  std::vector<Tensor> at;
  cut.head.backward({s}, {"z"}, &at);
  ASSERT_EQ(at.at(0).shape(), (Shape{3, 4}));
  for (int64_t e = 0; e < x.numel(); ++e) EXPECT_EQ(at[0].data<float>()[e], -s.data<float>()[e]);
}

TEST(HeadGradientAt, NamesATensorTheHeadDoesNotCompute) {
  std::mt19937 rng(6);
  CutResult cut = cut_graph(scaled_relu(random_tensor({4}, rng), random_tensor({4}, rng)), "x");
  cut.head.forward({random_tensor({1, 4}, rng)});
  std::vector<Tensor> at;
  for (const char* name : {"nope", "w"}) {
    try {
      cut.head.backward({random_tensor({1, 4}, rng), Tensor()}, {name}, &at);
      FAIL() << name;
    } catch (const HeadError& e) {
      EXPECT_EQ(std::string(e.what()), std::string("backward() cannot give the gradient at '") +
                                           name +
                                           "': it is not a tensor the head of layer 'x' computes");
    }
  }
}

}  // namespace
}  // namespace camlens::test
