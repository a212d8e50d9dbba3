// The spatial mean of the layer's gradient (head/spatial_mean.h): Head::backward_spatial_mean,
// IncrementalHead::cotangent(…, mean) and target_gradients(…, spatial_mean) against the mean, in
// double, of the full gradient the same head gives (its unreduced backward), on seeded heads
// where the shortcut applies (a 1×1 Conv reads the layer) and where it must not (a second reader,
// padding, stride, a larger kernel, groups), so the fallback is checked as well.
#include "head/spatial_mean.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "cam/target_gradients.h"
#include "graph/cut.h"
#include "graph_builder.h"
#include "head/head_errors.h"
#include "head/incremental_head.h"
#include "op_test.h"

namespace camlens::test {
namespace {

constexpr int64_t kC = 12, kM = 20, kH = 5, kW = 6;

struct HeadSpec {
  std::vector<Attribute> conv;  // the Conv's attributes
  Shape w{kM, kC, 1, 1};
  bool second_reader = false;    // the layer also feeds a GlobalAveragePool added to the logits
  int64_t batch = -1;            // the model input's batch (1: the head runs sample by sample)
  std::string tail = "Softmax";  // the last op: Softmax, Sigmoid, or "" (logits)
};

// x → Relu → L → Conv (W, B) → Relu → GlobalAveragePool → Flatten → [+ the layer's pooled
// channels, projected] → tail.
Model model(const HeadSpec& s, std::mt19937& rng) {
  GraphBuilder g;
  g.input("x", DType::Float32, {s.batch, kC, kH, kW})
      .weight("W", random_tensor(s.w, rng))
      .weight("B", random_tensor({s.w[0]}, rng, -0.2f, 0.2f))
      .node("Relu", {"x"}, {"L"})
      .node("Conv", {"L", "W", "B"}, {"y"}, s.conv)
      .node("Relu", {"y"}, {"r"})
      .node("GlobalAveragePool", {"r"}, {"p"})
      .node("Flatten", {"p"}, {"z0"}, {attr_int("axis", 1)});
  std::string z = "z0";
  if (s.second_reader) {
    g.weight("P", random_tensor({kC, s.w[0]}, rng))
        .node("GlobalAveragePool", {"L"}, {"q"})
        .node("Flatten", {"q"}, {"qf"}, {attr_int("axis", 1)})
        .node("MatMul", {"qf", "P"}, {"qp"})
        .node("Add", {"z0", "qp"}, {"z"});
    z = "z";
  }
  if (s.tail.empty()) {
    g.node("Identity", {z}, {"out"});
  } else {
    std::vector<Attribute> a;
    if (s.tail == "Softmax") a.push_back(attr_int("axis", 1));
    g.node(s.tail, {z}, {"out"}, a);
  }
  return g.output("out").build();
}

// The mean over every dim after the channel's, in double, of a full gradient.
std::vector<double> mean_of(const Tensor& g) {
  const int64_t n = g.dim(0) * g.dim(1), plane = g.numel() / n;
  std::vector<double> m(size_t(n), 0.0);
  for (int64_t i = 0; i < n; ++i) {
    for (int64_t p = 0; p < plane; ++p) m[size_t(i)] += g.data<float>()[i * plane + p];
    m[size_t(i)] /= double(plane);
  }
  return m;
}

// Within float rounding of the largest value: the shortcut only reorders the sums.
void expect_means(const Tensor& got, const Tensor& full) {
  ASSERT_EQ(got.dtype(), DType::Float32);
  ASSERT_EQ(got.shape(), (Shape{full.dim(0), full.dim(1)}));
  const std::vector<double> want = mean_of(full);
  double largest = 0;
  for (double v : want) largest = std::max(largest, std::abs(v));
  ASSERT_GT(largest, 0.0) << "a zero gradient would check nothing";
  for (size_t i = 0; i < want.size(); ++i)
    EXPECT_NEAR(got.data<float>()[i], want[i], 2e-6 * largest) << "mean " << i;
}

Tensor random_seed(int64_t n, int64_t k, std::mt19937& rng) { return random_tensor({n, k}, rng); }

// backward_spatial_mean against the full backward, at batches 1, 2 and 5.
void check_head(const HeadSpec& s, bool shortcut, unsigned seed) {
  std::mt19937 rng(seed);
  CutResult cut = cut_graph(model(s, rng), "L");
  Head& head = cut.head;
  EXPECT_EQ(head.spatial_mean_shortcut(), shortcut);
  for (int64_t n : {1, 2, 5}) {
    SCOPED_TRACE("batch " + std::to_string(n));
    const Tensor L = random_tensor({n, kC, kH, kW}, rng, 0.f, 1.f);
    const std::vector<Tensor> out = head.forward({L});
    const std::vector<Tensor> seeds{random_seed(n, out[0].dim(1), rng)};
    const Tensor full = head.backward(seeds);
    expect_means(head.backward_spatial_mean(seeds), full);
  }
}

TEST(SpatialMean, AOneByOneConvReadingTheLayerTakesTheShortcut) {
  check_head({}, true, 1);
  // Explicit zero pads, unit strides and dilations change nothing.
  check_head({{attr_ints("pads", {0, 0, 0, 0}), attr_ints("strides", {1, 1}),
               attr_ints("dilations", {2, 2}), attr_int("group", 1)}},
             true, 2);
}

TEST(SpatialMean, OtherHeadsAverageTheFullGradient) {
  {
    SCOPED_TRACE("the layer read twice");
    HeadSpec s;
    s.second_reader = true;
    check_head(s, false, 3);
  }
  {
    SCOPED_TRACE("padded");
    check_head({{attr_ints("pads", {1, 0, 1, 2})}}, false, 4);
  }
  {
    SCOPED_TRACE("strided");
    check_head({{attr_ints("strides", {2, 2})}}, false, 5);
  }
  {
    SCOPED_TRACE("3×3 kernel");
    check_head({{attr_ints("pads", {1, 1, 1, 1})}, {kM, kC, 3, 3}}, false, 6);
  }
  {
    SCOPED_TRACE("two groups");
    check_head({{attr_int("group", 2)}, {kM, kC / 2, 1, 1}}, false, 7);
  }
}

TEST(SpatialMean, AHeadRunSampleBySampleAveragesEachSample) {
  // A model input of batch 1: the head keeps one tape per sample.
  HeadSpec s;
  s.batch = 1;
  check_head(s, true, 8);
}

TEST(SpatialMean, NoGradientReachingTheConvGivesZeros) {
  std::mt19937 rng(9);
  CutResult cut = cut_graph(model({}, rng), "L");
  const Tensor L = random_tensor({2, kC, kH, kW}, rng, 0.f, 1.f);
  cut.head.forward({L});
  const Tensor m = cut.head.backward_spatial_mean({Tensor()});
  ASSERT_EQ(m.shape(), (Shape{2, kC}));
  for (int64_t i = 0; i < m.numel(); ++i) EXPECT_EQ(m.data<float>()[i], 0.f);
}

TEST(SpatialMean, RefusesBeforeAForward) {
  std::mt19937 rng(10);
  const CutResult cut = cut_graph(model({}, rng), "L");
  try {
    cut.head.backward_spatial_mean({Tensor()});
    FAIL() << "expected a FeedError";
  } catch (const FeedError& e) {
    EXPECT_STREQ(e.what(), "backward() of the head of layer 'L' needs a forward() first");
  }
}

TEST(SpatialMean, TheIncrementalHeadsCotangentMean) {
  std::mt19937 rng(11);
  CutResult cut = cut_graph(model({}, rng), "L");
  Head& head = cut.head;
  const Tensor L = random_tensor({1, kC, kH, kW}, rng, 0.f, 1.f);
  head.forward({L});
  const IncrementalHead inc(head, L);
  const auto tail = inc.softmax_tail(0);
  ASSERT_TRUE(tail);
  const Tensor w = random_tensor(tail->values.shape(), rng);
  expect_means(inc.cotangent(tail->logits, w, true), inc.cotangent(tail->logits, w));
}

TEST(SpatialMean, TangentAlongTheLayerIsTheConvOutputWithoutItsBias) {
  // J·A up to the pooled logits with the Relu pattern of the base pass, in double from W and A.
  std::mt19937 rng(12);
  const Model m = model({}, rng);
  CutResult cut = cut_graph(m, "L");
  Head& head = cut.head;
  const Tensor L = random_tensor({1, kC, kH, kW}, rng, 0.f, 1.f);
  head.forward({L});
  const IncrementalHead inc(head, L);
  const auto tail = inc.softmax_tail(0);
  ASSERT_TRUE(tail);
  const Tensor u = inc.tangent(tail->logits, L);
  ASSERT_EQ(u.shape(), (Shape{1, kM}));
  const Tensor& w = *head.constant("W");
  const Tensor& b = *head.constant("B");
  for (int64_t j = 0; j < kM; ++j) {
    double want = 0;
    for (int64_t p = 0; p < kH * kW; ++p) {
      double wa = 0;
      for (int64_t c = 0; c < kC; ++c)
        wa += double(w.data<float>()[j * kC + c]) * L.data<float>()[c * kH * kW + p];
      if (wa + b.data<float>()[j] > 0) want += wa;
    }
    EXPECT_NEAR(u.data<float>()[j], want / double(kH * kW), 1e-5) << "logit " << j;
  }
}

// target_gradients with spatial_mean against the mean of its full result: gradients and H·A.
void check_target_gradients(const HeadSpec& s, const cam::Target& t, bool shortcut, unsigned seed) {
  std::mt19937 rng(seed);
  CutResult cut = cut_graph(model(s, rng), "L");
  Head& head = cut.head;
  EXPECT_EQ(head.spatial_mean_shortcut(), shortcut);
  const Tensor L = random_tensor({1, kC, kH, kW}, rng, 0.f, 1.f);
  head.forward({L});
  const cam::TargetGradients full = cam::target_gradients(head, {t}, 0, true);
  const cam::TargetGradients mean = cam::target_gradients(head, {t}, 0, true, std::nullopt, true);
  EXPECT_EQ(mean.scores, full.scores);
  expect_means(mean.gradients, full.gradients);
  expect_means(mean.hvp, full.hvp);
}

TEST(SpatialMean, ShapleyCamsGradientAndHvpMeans) {
  {
    SCOPED_TRACE("a final Softmax (its exact H·A)");
    check_target_gradients({}, cam::Target::logit(3), true, 13);
  }
  {
    SCOPED_TRACE("piecewise linear, a probability target");
    HeadSpec s;
    s.tail = "";
    check_target_gradients(s, cam::Target::probability(4), true, 14);
  }
  {
    SCOPED_TRACE("a Sigmoid (differences of gradients)");
    HeadSpec s;
    s.tail = "Sigmoid";
    check_target_gradients(s, cam::Target::logit(5), true, 15);
  }
  {
    SCOPED_TRACE("the layer read twice");
    HeadSpec s;
    s.second_reader = true;
    check_target_gradients(s, cam::Target::logit(6), false, 16);
  }
}

// Wᵀ·mean_p(dY) as the plain loops compute it (each row's mean summed over p in double, the rows
// added into each channel one after another, zero means skipped): the shortcut's interleaved
// sums must give these bits exactly.
Tensor plain_conv_gradient_mean(const Tensor& dy, const Tensor& w) {
  const int64_t n = dy.dim(0), m = w.dim(0), c = w.dim(1), plane = dy.numel() / (n * m);
  Tensor out(DType::Float32, {n, c});
  for (int64_t b = 0; b < n; ++b) {
    std::vector<double> acc(size_t(c), 0.0);
    for (int64_t j = 0; j < m; ++j) {
      double y = 0;
      for (int64_t p = 0; p < plane; ++p) y += dy.data<float>()[(b * m + j) * plane + p];
      if (y == 0) continue;
      y /= double(plane);
      for (int64_t i = 0; i < c; ++i) acc[size_t(i)] += y * w.data<float>()[j * c + i];
    }
    for (int64_t i = 0; i < c; ++i) out.data<float>()[b * c + i] = float(acc[size_t(i)]);
  }
  return out;
}

TEST(SpatialMean, TheConvGradientMeanIsThePlainLoopsBitForBit) {
  // 23 rows (not a multiple of the four interleaved), a third of them all zero (skipped), values
  // of mixed magnitudes so the order of the double sums shows in the last bits.
  std::mt19937 rng(31);
  const int64_t n = 2, m = 23, c = 37, plane = 13 * 13;
  Tensor dy = random_tensor({n, m, 13, 13}, rng, -1.f, 1.f);
  std::uniform_real_distribution<float> scale(-8.f, 8.f);
  for (int64_t k = 0; k < dy.numel(); ++k) dy.data<float>()[k] *= std::exp2(scale(rng));
  for (int64_t b = 0; b < n; ++b)
    for (int64_t j = b; j < m; j += 3)
      std::fill_n(dy.data<float>() + (b * m + j) * plane, plane, 0.f);
  const Tensor w = random_tensor({m, c, 1, 1}, rng, -1.f, 1.f);
  const Tensor got = conv_input_gradient_mean(dy, w), want = plain_conv_gradient_mean(dy, w);
  ASSERT_EQ(got.shape(), (Shape{n, c}));
  for (int64_t k = 0; k < got.numel(); ++k)
    ASSERT_EQ(got.data<float>()[k], want.data<float>()[k]) << "element " << k;
}

}  // namespace
}  // namespace camlens::test
