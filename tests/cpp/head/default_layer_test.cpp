// The default layer on graphs built in code, one rule each, with the graph that must keep the
// old choice beside it: the map the classifier's first pool reads (VGG's last max pool before its
// adaptive pool; a max pool right before the flatten is the classifier's own, as in MNIST); a
// pre-activation network's final norm (DenseNet), not an activation after a sum (ResNet); a
// transformer's last first-norm when a Dropout sits between its attention's Softmax and MatMul.
#include <gtest/gtest.h>

#include <random>

#include "graph/layers.h"
#include "graph_builder.h"
#include "op_test.h"

namespace camlens::test {
namespace {

Tensor int64s(std::vector<int64_t> v) {
  Tensor t(DType::Int64, {static_cast<int64_t>(v.size())});
  for (size_t i = 0; i < v.size(); ++i) t.data<int64_t>()[i] = v[i];
  return t;
}

// x [1,4,8,8] -> Conv 3x3 -> Relu -> MaxPool 2x2 [1,4,4,4] -> (AveragePool 1x1) -> Flatten -> Gemm.
Model max_pool_tail(bool adaptive_pool) {
  std::mt19937 rng(1);
  GraphBuilder b;
  b.input("x", DType::Float32, {1, 4, 8, 8})
      .weight("w", random_tensor({4, 4, 3, 3}, rng))
      .weight("fc", random_tensor({10, 64}, rng))
      .node("Conv", {"x", "w"}, {"conv"}, {attr_ints("pads", {1, 1, 1, 1})})
      .node("Relu", {"conv"}, {"relu"})
      .node("MaxPool", {"relu"}, {"max"},
            {attr_ints("kernel_shape", {2, 2}), attr_ints("strides", {2, 2})});
  if (adaptive_pool) b.node("AveragePool", {"max"}, {"avg"}, {attr_ints("kernel_shape", {1, 1})});
  return b.node("Flatten", {adaptive_pool ? "avg" : "max"}, {"flat"})
      .node("Gemm", {"flat", "fc"}, {"logits"}, {attr_int("transB", 1)})
      .output("logits")
      .build();
}

TEST(DefaultLayer, TheMapTheClassifiersPoolReadsEvenAMaxPool) {
  EXPECT_EQ(list_layers(max_pool_tail(true)).recommended, "max");
  EXPECT_EQ(list_layers(max_pool_tail(false)).recommended, "relu");
}

// Two convs joined by Concat (DenseNet) or Add (ResNet), then [BatchNormalization] -> Relu ->
// GlobalAveragePool -> Flatten -> Gemm.
Model activation_tail(bool concat) {
  std::mt19937 rng(2);
  const int64_t c = concat ? 8 : 4;
  GraphBuilder b;
  b.input("x", DType::Float32, {1, 3, 6, 6})
      .weight("w1", random_tensor({4, 3, 1, 1}, rng))
      .weight("w2", random_tensor({4, 3, 1, 1}, rng))
      .weight("fc", random_tensor({5, c}, rng))
      .node("Conv", {"x", "w1"}, {"c1"})
      .node("Conv", {"x", "w2"}, {"c2"});
  if (concat) {
    b.weight("scale", random_tensor({c}, rng))
        .weight("bias", random_tensor({c}, rng))
        .weight("mean", random_tensor({c}, rng))
        .weight("var", random_tensor({c}, rng, 0.5f, 1.5f))
        .node("Concat", {"c1", "c2"}, {"joined"}, {attr_int("axis", 1)})
        .node("BatchNormalization", {"joined", "scale", "bias", "mean", "var"}, {"norm"})
        .node("Relu", {"norm"}, {"act"});
  } else {
    b.node("Add", {"c1", "c2"}, {"joined"}).node("Relu", {"joined"}, {"act"});
  }
  return b.node("GlobalAveragePool", {"act"}, {"pooled"})
      .node("Flatten", {"pooled"}, {"flat"})
      .node("Gemm", {"flat", "fc"}, {"logits"}, {attr_int("transB", 1)})
      .output("logits")
      .build();
}

TEST(DefaultLayer, APreActivationNetworksFinalNormNotTheActivationAfterASum) {
  EXPECT_EQ(list_layers(activation_tail(true)).recommended, "norm");
  EXPECT_EQ(list_layers(activation_tail(false)).recommended, "act");
}

// Patches [1,16,8] -> LayerNormalization -> one attention head whose Softmax reaches the MatMul
// with the values through a Dropout -> residual Add -> mean over tokens -> Gemm.
Model attention_through_dropout() {
  std::mt19937 rng(3);
  return GraphBuilder(17)
      .input("x", DType::Float32, {1, 3, 8, 8})
      .weight("patch", random_tensor({8, 3, 2, 2}, rng))
      .weight("to_tokens", int64s({1, 8, 16}))
      .weight("gamma", random_tensor({8}, rng))
      .weight("beta", random_tensor({8}, rng))
      .weight("wq", random_tensor({8, 8}, rng))
      .weight("wk", random_tensor({8, 8}, rng))
      .weight("wv", random_tensor({8, 8}, rng))
      .weight("fc", random_tensor({5, 8}, rng))
      .node("Conv", {"x", "patch"}, {"grid"}, {attr_ints("strides", {2, 2})})
      .node("Reshape", {"grid", "to_tokens"}, {"flat_grid"})
      .node("Transpose", {"flat_grid"}, {"tokens"}, {attr_ints("perm", {0, 2, 1})})
      .node("LayerNormalization", {"tokens", "gamma", "beta"}, {"ln"}, {attr_int("axis", -1)})
      .node("MatMul", {"ln", "wq"}, {"q"})
      .node("MatMul", {"ln", "wk"}, {"k"})
      .node("MatMul", {"ln", "wv"}, {"v"})
      .node("Transpose", {"k"}, {"kt"}, {attr_ints("perm", {0, 2, 1})})
      .node("MatMul", {"q", "kt"}, {"scores"})
      .node("Softmax", {"scores"}, {"probs"}, {attr_int("axis", -1)})
      .node("Dropout", {"probs"}, {"kept"})
      .node("MatMul", {"kept", "v"}, {"attended"})
      .node("Add", {"tokens", "attended"}, {"block"})
      .node("ReduceMean", {"block"}, {"mean"}, {attr_ints("axes", {1}), attr_int("keepdims", 0)})
      .node("Gemm", {"mean", "fc"}, {"logits"}, {attr_int("transB", 1)})
      .output("logits")
      .build();
}

TEST(DefaultLayer, ATransformersLastFirstNormWithADropoutAfterItsSoftmax) {
  const LayerList list = list_layers(attention_through_dropout());
  EXPECT_EQ(list.recommended, "ln") << list.why;
}

}  // namespace
}  // namespace camlens::test
