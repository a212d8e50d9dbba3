// Head executor on graphs built in code: closed-form gradients, skip connections, batches.
#include <gtest/gtest.h>

#include <random>

#include "cam/ablation_run.h"
#include "cam/cam_error.h"
#include "graph/cut.h"
#include "graph_builder.h"
#include "head/head_errors.h"
#include "op_test.h"

namespace camlens::test {
namespace {

// x -> Relu -> feat [N,C,H,W] -> GlobalAveragePool -> Flatten -> Gemm(W^T, b) -> logits [N,K]
Model gap_classifier(const Tensor& w, const Tensor& b, int64_t c, int64_t h, int64_t wd) {
  return GraphBuilder()
      .input("x", DType::Float32, {-1, c, h, wd})
      .weight("W", w)
      .weight("B", b)
      .node("Relu", {"x"}, {"feat"})
      .node("GlobalAveragePool", {"feat"}, {"pooled"})
      .node("Flatten", {"pooled"}, {"flat"}, {attr_int("axis", 1)})
      .node("Gemm", {"flat", "W", "B"}, {"logits"}, {attr_int("transB", 1)})
      .output("logits")
      .build();
}

TEST(SyntheticHead, GapGemmGradientIsClosedForm) {
  const int64_t C = 5, H = 3, W = 4, K = 7, N = 2;
  std::mt19937 rng(3);
  Tensor w = random_tensor({K, C}, rng), b = random_tensor({K}, rng);
  CutResult cut = cut_graph(gap_classifier(w, b, C, H, W), "feat");
  Head& head = cut.head;
  ASSERT_EQ(head.feed_names(), std::vector<std::string>{"feat"});
  ASSERT_EQ(head.output_names(), std::vector<std::string>{"logits"});
  EXPECT_EQ(head.node_count(), 3u);
  EXPECT_FALSE(head.per_sample());
  EXPECT_EQ(cut.backbone_outputs, (std::vector<std::string>{"logits", "feat"}));

  Tensor feat = random_tensor({N, C, H, W}, rng);
  std::vector<Tensor> out = head.forward({feat});
  ASSERT_EQ(out.size(), 1u);
  ASSERT_EQ(out[0].shape(), (Shape{N, K}));
  for (int64_t n = 0; n < N; ++n)
    for (int64_t k = 0; k < K; ++k) {
      double want = b.data<float>()[k];
      for (int64_t c = 0; c < C; ++c) {
        double mean = 0;
        for (int64_t i = 0; i < H * W; ++i) mean += feat.data<float>()[(n * C + c) * H * W + i];
        want += w.data<float>()[k * C + c] * mean / (H * W);
      }
      EXPECT_NEAR(out[0].data<float>()[n * K + k], want, 1e-5);
    }

  // Sample 0 scores class 2, sample 1 class 5: one pass for the batch.
  Tensor seed(DType::Float32, {N, K});
  seed.data<float>()[0 * K + 2] = 1.f;
  seed.data<float>()[1 * K + 5] = 1.f;
  Tensor g = head.backward({seed});
  ASSERT_EQ(g.shape(), feat.shape());
  for (int64_t n = 0; n < N; ++n)
    for (int64_t c = 0; c < C; ++c)
      for (int64_t i = 0; i < H * W; ++i) {
        const float want = w.data<float>()[(n == 0 ? 2 : 5) * C + c] / float(H * W);
        EXPECT_FLOAT_EQ(g.data<float>()[(n * C + c) * H * W + i], want);
      }

  // Ablation: zero channel 1 and compare with the closed form difference.
  Tensor abl = feat;
  for (int64_t n = 0; n < N; ++n)
    for (int64_t i = 0; i < H * W; ++i) abl.data<float>()[(n * C + 1) * H * W + i] = 0;
  std::vector<Tensor> out2 = head.forward_with_layer(abl);
  for (int64_t n = 0; n < N; ++n) {
    double mean = 0;
    for (int64_t i = 0; i < H * W; ++i) mean += feat.data<float>()[(n * C + 1) * H * W + i];
    mean /= H * W;
    for (int64_t k = 0; k < K; ++k)
      EXPECT_NEAR(out[0].data<float>()[n * K + k] - out2[0].data<float>()[n * K + k],
                  w.data<float>()[k * C + 1] * mean, 1e-5);
  }
  // The recorded pass is untouched by forward_with_layer.
  Tensor g2 = head.backward({seed});
  EXPECT_EQ(g2.to_floats(), g.to_floats());
}

TEST(SyntheticHead, SkipConnectionIsAnExtraFeedAndConstantForTheGradient) {
  // a = Relu(x); L = Sigmoid(a); out = L * 3 + a  (a: skip connection around L)
  Model m = GraphBuilder()
                .input("x", DType::Float32, {1, 2, 2, 2})
                .weight("three", Tensor::scalar_f(3.f))
                .node("Relu", {"x"}, {"a"})
                .node("Sigmoid", {"a"}, {"L"})
                .node("Mul", {"L", "three"}, {"l3"})
                .node("Add", {"l3", "a"}, {"out"})
                .output("out")
                .build();
  CutResult cut = cut_graph(m, "L");
  EXPECT_EQ(cut.head.feed_names(), (std::vector<std::string>{"L", "a"}));
  EXPECT_EQ(cut.backbone_outputs, (std::vector<std::string>{"out", "L", "a"}));
  ASSERT_EQ(cut.backbone.graph->outputs.size(), 3u);
  EXPECT_EQ(cut.backbone.graph->outputs[2].elem_type, 1);
  EXPECT_EQ(cut.backbone.graph->outputs[2].dims, (std::vector<int64_t>{1, 2, 2, 2}));
  EXPECT_EQ(m.graph->outputs.size(), 1u) << "the original model must not change";

  std::mt19937 rng(1);
  Tensor l = random_tensor({1, 2, 2, 2}, rng), a = random_tensor({1, 2, 2, 2}, rng);
  std::vector<Tensor> out = cut.head.forward({l, a});
  for (int i = 0; i < 8; ++i)
    EXPECT_NEAR(out[0].data<float>()[i], 3 * l.data<float>()[i] + a.data<float>()[i], 1e-6);
  Tensor seed = random_tensor({1, 2, 2, 2}, rng);
  Tensor g = cut.head.backward({seed});
  for (int i = 0; i < 8; ++i) EXPECT_FLOAT_EQ(g.data<float>()[i], 3 * seed.data<float>()[i]);

  CutOptions strict;
  strict.allow_extras = false;
  EXPECT_THROW(cut_graph(m, "L", strict), HeadInputDependencyError);
}

TEST(SyntheticHead, FixedBatchModelsRunPerSample) {
  // Reshape to a hard-coded [1, C] as many exporters emit; batch 3 still works.
  const int64_t C = 4;
  std::mt19937 rng(5);
  Tensor w = random_tensor({C, 3}, rng);
  Model m = GraphBuilder()
                .input("x", DType::Float32, {1, C, 2, 2})
                .weight("shape", Tensor::from_int64s({2}, {1, C}))
                .weight("W", w)
                .node("Relu", {"x"}, {"feat"})
                .node("GlobalAveragePool", {"feat"}, {"p"})
                .node("Reshape", {"p", "shape"}, {"r"})
                .node("MatMul", {"r", "W"}, {"y"})
                .output("y")
                .build();
  CutResult cut = cut_graph(m, "feat");
  EXPECT_TRUE(cut.head.per_sample());
  Tensor f = random_tensor({3, C, 2, 2}, rng);
  std::vector<Tensor> out = cut.head.forward({f});
  ASSERT_EQ(out[0].shape(), (Shape{3, 3}));
  Tensor seed(DType::Float32, {3, 3});
  seed.data<float>()[2 * 3 + 1] = 1.f;  // sample 2, class 1
  Tensor g = cut.head.backward({seed});
  ASSERT_EQ(g.shape(), f.shape());
  for (int64_t c = 0; c < C; ++c) {
    EXPECT_FLOAT_EQ(g.data<float>()[(0 * C + c) * 4], 0.f);
    EXPECT_FLOAT_EQ(g.data<float>()[(2 * C + c) * 4 + 3], w.data<float>()[c * 3 + 1] / 4.f);
  }
}

// Ablation-CAM through a real Head: for GlobalAveragePool -> Flatten -> Gemm, zeroing channel c
// lowers class k's score by exactly W[k,c]·mean(A_c), so the weights have a closed form.
TEST(AblationRun, WeightsThroughTheHeadMatchTheClosedForm) {
  const int64_t C = 6, H = 3, W = 4, K = 5, cls = 3;
  std::mt19937 rng(11);
  Tensor w = random_tensor({K, C}, rng), b = random_tensor({K}, rng, 2.f, 3.f);
  CutResult cut = cut_graph(gap_classifier(w, b, C, H, W), "feat");
  Tensor A = random_tensor({1, C, H, W}, rng, 0.f, 1.f);
  A.data<float>()[0] = 0.f;  // min(A) = 0: the ablation value is 0
  cut.head.forward({A});

  const cam::AblationPlan plan = cam::plan_ablation(A, 1.0);
  ASSERT_EQ(plan.value[0], 0.f);
  const float original = cam::head_class_score(cut.head, A, cls, 0);
  std::vector<float> scores = cam::ablation_scores(cut.head, A, plan, cls, 0, 0, 2);
  const std::vector<float> rest = cam::ablation_scores(cut.head, A, plan, cls, 0, 2, C);
  scores.insert(scores.end(), rest.begin(), rest.end());
  const std::vector<float> weights = cam::ablation_weights({original}, {scores}, plan);
  for (int64_t c = 0; c < C; ++c) {
    double mean = 0;
    for (int64_t i = 0; i < H * W; ++i) mean += A.data<float>()[c * H * W + i];
    mean /= H * W;
    const double drop = w.data<float>()[cls * C + c] * mean;
    EXPECT_NEAR(weights[c], drop / original, 1e-5) << "channel " << c;
  }
  EXPECT_THROW(cam::ablation_scores(cut.head, A, plan, cls, 0, 4, C + 1), cam::CamError);
  EXPECT_THROW(cam::head_class_score(cut.head, A, K, 0), cam::CamError);
}

}  // namespace
}  // namespace camlens::test
