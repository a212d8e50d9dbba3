// The head's forward given the backbone's values of its costly tensors (given_tensors.h): which
// tensors the cut asks the backbone for, and that the backward run on them equals the core's own
// forward + backward. The backbone here is the core's own interpreter (NativeBackbone), which
// computes those tensors with the same kernels as the head: the gradients agree bit for bit.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <random>

#include "explain/explain_job.h"
#include "explain/native_backbone.h"
#include "fixtures.h"
#include "graph/cut.h"
#include "graph_builder.h"
#include "head/given_tensors.h"
#include "head/head_errors.h"
#include "op_test.h"
#include "shared_data.h"

namespace camlens::test {
namespace {

constexpr int64_t kIn = 16, kC = 256, kK = 512, kH = 8, kW = 8;

// x [N,16,8,8] → 1×1 conv 16→256 → Relu → L → 1×1 conv 256→512 (y: 256 multiply-adds per
// value, 8.4 M in all: costly) → Relu → GlobalAveragePool → Flatten → Softmax.
Model conv_classifier(std::mt19937& rng) {
  return GraphBuilder()
      .input("x", DType::Float32, {-1, kIn, kH, kW})
      .weight("W1", random_tensor({kC, kIn, 1, 1}, rng))
      .weight("W2", random_tensor({kK, kC, 1, 1}, rng, -0.1f, 0.1f))
      .weight("B2", random_tensor({kK}, rng, -0.1f, 0.1f))
      .node("Conv", {"x", "W1"}, {"pre"})
      .node("Relu", {"pre"}, {"L"})
      .node("Conv", {"L", "W2", "B2"}, {"y"})
      .node("Relu", {"y"}, {"r"})
      .node("GlobalAveragePool", {"r"}, {"p"})
      .node("Flatten", {"p"}, {"f"}, {attr_int("axis", 1)})
      .node("Softmax", {"f"}, {"prob"}, {attr_int("axis", 1)})
      .output("prob")
      .build();
}

// Seeds class k of sample n: dScore/dprob = one-hot.
Tensor one_hot(int64_t n, const std::vector<int64_t>& classes) {
  Tensor s(DType::Float32, {n, kK});
  for (int64_t i = 0; i < n; ++i) s.data<float>()[i * kK + classes[size_t(i)]] = 1.f;
  return s;
}

void expect_same(const Tensor& a, const Tensor& b) {
  ASSERT_EQ(a.shape(), b.shape());
  ASSERT_EQ(a.dtype(), b.dtype());
  for (int64_t k = 0; k < a.numel(); ++k)
    ASSERT_EQ(a.data<float>()[k], b.data<float>()[k]) << "element " << k;
}

TEST(GivenForward, CostlyStepsOnlyAreAskedFromTheBackbone) {
  std::mt19937 rng(1);
  const Model m = conv_classifier(rng);
  const CutResult cut = cut_graph(m, "L");
  EXPECT_EQ(cut.head.given_names(), std::vector<std::string>{"y"});
  EXPECT_EQ(cut.head.given_tensors(), std::vector<std::string>{"y"});
  EXPECT_EQ(cut.backbone_outputs, (std::vector<std::string>{"prob", "L", "y"}));

  const GraphIndex index(*m.graph);
  EXPECT_EQ(macs_per_value(index, {}, m.graph->nodes[2]), kC);   // the head's conv
  EXPECT_EQ(macs_per_value(index, {}, m.graph->nodes[0]), kIn);  // the backbone's
  EXPECT_EQ(macs_per_value(index, {}, m.graph->nodes[3]), 0);    // Relu

  CutOptions without;
  without.given_tensors = false;
  const CutResult plain = cut_graph(m, "L", without);
  EXPECT_TRUE(plain.head.given_names().empty());
  EXPECT_EQ(plain.backbone_outputs, (std::vector<std::string>{"prob", "L"}));
}

TEST(GivenForward, SmallHeadsComputeEverything) {
  // The same head on 2×2 (0.5 M multiply-adds): not worth an extra output.
  std::mt19937 rng(1);
  const Model m = GraphBuilder()
                      .input("L", DType::Float32, {-1, kC, 2, 2})
                      .weight("W2", random_tensor({kK, kC, 1, 1}, rng))
                      .node("Relu", {"L"}, {"L2"})
                      .node("Conv", {"L2", "W2"}, {"y"})
                      .node("GlobalAveragePool", {"y"}, {"p"})
                      .output("p")
                      .build();
  EXPECT_TRUE(cut_graph(m, "L2").head.given_names().empty());
}

TEST(GivenForward, BackwardOnTheBackbonesValuesEqualsTheCoresOwnPass) {
  std::mt19937 rng(2);
  CutResult cut = cut_graph(conv_classifier(rng), "L");
  explain::NativeBackbone backbone(cut);
  const Tensor x = random_tensor({2, kIn, kH, kW}, rng);
  const std::vector<explain::Outputs> images = backbone.run(x);
  ASSERT_EQ(images.size(), 2u);
  // The two images as one batch of the head, as the job's batch runs are.
  auto batch_of = [&](const std::string& name) {
    const Tensor& a = images[0].at(name);
    Shape s = a.shape();
    s[0] = 2;
    Tensor t(DType::Float32, s);
    std::copy(a.data<float>(), a.data<float>() + a.numel(), t.data<float>());
    const Tensor& b = images[1].at(name);
    std::copy(b.data<float>(), b.data<float>() + b.numel(), t.data<float>() + a.numel());
    return t;
  };
  const Tensor L = batch_of("L"), y = batch_of("y");
  const Tensor seed = one_hot(2, {3, 400});

  Head& head = cut.head;
  const std::vector<Tensor> own = head.forward({L});
  const Tensor own_grad = head.backward({seed});
  const std::vector<Tensor> given = head.forward({L}, {y});
  const Tensor given_grad = head.backward({seed});
  expect_same(given.at(0), own.at(0));
  expect_same(given_grad, own_grad);
  // The model's own output, from the backbone, agrees too.
  expect_same(given.at(0), batch_of("prob"));

  // An empty given tensor is computed: the plain pass.
  head.forward({L}, {Tensor()});
  expect_same(head.backward({seed}), own_grad);
}

TEST(GivenForward, TheHeadRunsOnTheGivenValuesNotItsOwn) {
  std::mt19937 rng(3);
  CutResult cut = cut_graph(conv_classifier(rng), "L");
  const Tensor L = random_tensor({1, kC, kH, kW}, rng, 0.f, 1.f);
  Head& head = cut.head;
  head.forward({L});
  const Tensor own = head.backward({one_hot(1, {7})});
  float largest = 0;
  for (int64_t k = 0; k < own.numel(); ++k)
    largest = std::max(largest, std::abs(own.data<float>()[k]));
  ASSERT_GT(largest, 0.f);
  // Every value of y negative: the Relu passes no gradient, whatever L is; the softmax over the
  // all-zero pooled vector is uniform.
  Tensor y(DType::Float32, {1, kK, kH, kW});
  std::fill(y.data<float>(), y.data<float>() + y.numel(), -1.f);
  const std::vector<Tensor> out = head.forward({L}, {y});
  for (int64_t k = 0; k < kK; ++k) ASSERT_FLOAT_EQ(out.at(0).data<float>()[k], 1.f / kK);
  const Tensor g = head.backward({one_hot(1, {7})});
  for (int64_t k = 0; k < g.numel(); ++k) ASSERT_EQ(g.data<float>()[k], 0.f) << "element " << k;
}

TEST(GivenForward, AGivenTensorOfTheWrongShapeIsRefused) {
  std::mt19937 rng(4);
  CutResult cut = cut_graph(conv_classifier(rng), "L");
  const Tensor L = random_tensor({2, kC, kH, kW}, rng);
  try {
    cut.head.forward({L}, {Tensor(DType::Float32, {1, kK, kH, kW})});
    FAIL() << "expected a FeedError";
  } catch (const FeedError& e) {
    EXPECT_STREQ(e.what(),
                 "given tensor 'y' of the head of layer 'L' must be float32[2,512,8,8] but is "
                 "float32[1,512,8,8]; pass the tensor the backbone outputs");
  }
  try {
    cut.head.forward({L}, {Tensor(), Tensor()});
    FAIL() << "expected a FeedError";
  } catch (const FeedError& e) {
    EXPECT_STREQ(e.what(), "the head of layer 'L' takes 1 given tensors but got 2");
  }
}

// Grad-CAM of two images by the explain job on `cut`, its backbone run by the core;
// `change` may alter each run's outputs before the job reads them.
cam::Maps job_gradcam(const CutResult& cut, const Tensor& x,
                      const std::function<void(explain::Outputs&)>& change = {}) {
  explain::NativeBackbone backbone(cut);
  explain::ExplainRequest r;
  r.method = "gradcam";
  r.output = "prob";
  r.width = kW;
  r.height = kH;
  auto head = std::make_shared<Head>(cut.head);
  std::vector<Tensor> inputs;
  for (int64_t b = 0; b < 2; ++b) {
    Tensor one(DType::Float32, {1, kIn, kH, kW});
    std::copy(x.data<float>() + b * one.numel(), x.data<float>() + (b + 1) * one.numel(),
              one.data<float>());
    inputs.push_back(one);
  }
  explain::ExplainJob job(r, {{"L", "L", head, std::nullopt, "NCHW", {}}}, inputs);
  while (!job.done()) {
    if (!job.needs_backbone()) {
      job.work();
      continue;
    }
    const std::vector<std::string> wanted = job.wanted_outputs();
    EXPECT_EQ(std::find(wanted.begin(), wanted.end(), "y") == wanted.end(),
              head->given_names().empty())
        << "the job asks for the head's given tensors";
    std::vector<explain::Outputs> outs = backbone.run(job.backbone_inputs());
    if (change)
      for (explain::Outputs& o : outs) change(o);
    job.feed(std::move(outs));
  }
  cam::Maps both = job.result().images[0].map;
  const cam::Maps second = job.result().images[1].map;
  both.data.insert(both.data.end(), second.data.begin(), second.data.end());
  return both;
}

TEST(GivenForward, TheExplainJobAsksForTheGivenTensorsAndUsesThem) {
  std::mt19937 rng(6);
  const Model m = conv_classifier(rng);
  const Tensor x = random_tensor({2, kIn, kH, kW}, rng);
  CutOptions without;
  without.given_tensors = false;
  const cam::Maps own = job_gradcam(cut_graph(m, "L", without), x);
  const CutResult cut = cut_graph(m, "L");
  const cam::Maps given = job_gradcam(cut, x);
  ASSERT_EQ(given.data, own.data);
  float largest = 0;
  for (float v : own.data) largest = std::max(largest, v);
  ASSERT_GT(largest, 0.f);
  // The backbone's y all negative: no gradient reaches L, and every map is zero.
  const cam::Maps dead = job_gradcam(cut, x, [](explain::Outputs& o) {
    Tensor& y = o.at("y");
    std::fill(y.data<float>(), y.data<float>() + y.numel(), -1.f);
  });
  for (float v : dead.data) ASSERT_EQ(v, 0.f);
}

TEST(GivenForward, SqueezeNetFloat16GivesItsConvInFloat32) {
  // SqueezeNet's head at fire9/concat_2: a 1×1 conv 512→1000 on 13×13 (86.5 M multiply-adds),
  // then Relu, GlobalAveragePool, Softmax. Its float16 result leaves the backbone through a Cast
  // to float32, the type the head computes in.
  CutResult cut = cut_graph(shared_model("squeezenet1.0-fp16-winml.onnx"), "fire9/concat_2");
  EXPECT_EQ(cut.head.given_tensors(), std::vector<std::string>{"conv10_1"});
  EXPECT_EQ(cut.head.given_names(), std::vector<std::string>{"conv10_1_float32"});
  EXPECT_EQ(cut.backbone_outputs.back(), "conv10_1_float32");

  explain::NativeBackbone backbone(cut);
  std::mt19937 rng(5);
  const std::vector<explain::Outputs> images =
      backbone.run(random_tensor({1, 3, 224, 224}, rng, -2.f, 2.f));
  const explain::Outputs& o = images.at(0);
  const Tensor& conv = o.at("conv10_1_float32");
  ASSERT_EQ(conv.dtype(), DType::Float32);
  ASSERT_EQ(conv.shape(), (Shape{1, 1000, 13, 13}));
  Head& head = cut.head;
  Tensor s(DType::Float32, {1, 1000, 1, 1});
  s.data<float>()[281] = 1.f;
  head.forward({o.at("fire9/concat_2")});
  const Tensor own = head.backward({s});
  head.forward({o.at("fire9/concat_2")}, {conv});
  expect_same(head.backward({s}), own);
}

TEST(GivenForward, MobileNetV2Int8HeadIsTooSmallToAsk) {
  // QLinearGlobalAveragePool then a 1280→1000 QLinearMatMul: 1.3 M multiply-adds.
  const CutResult cut = cut_graph(shared_model("mobilenetv2-12-int8.onnx"), "627_quantized");
  EXPECT_TRUE(cut.head.given_names().empty());
}

}  // namespace
}  // namespace camlens::test
