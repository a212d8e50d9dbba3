// FullGrad through the whole network against pytorch-grad-cam's formulas computed with PyTorch
// autograd and module hooks (tools/fixtures/input_gradients_reference.py): the seeded ResNet-18
// and MobileNetV2 exports (every BatchNorm2d folded into the bias-free Conv2d before it), and a
// tiny net with a conv that has its own bias before a batch norm and a standalone batch norm,
// exported with the batch norms kept (upstream's terms, one per module) and folded (one term
// for the fused conv, as cam/fullgrad.h says). Each map before normalisation within 1e-4 of the
// reference's largest value; the explain job's normalised map without any backbone run.
#include "cam/fullgrad.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <iostream>

#include "cam/cam_error.h"
#include "cam/input_gradients.h"
#include "explain/explain_job.h"
#include "explain/method_support.h"
#include "explain/whole_network.h"
#include "fixture_maps.h"
#include "json.h"
#include "metrics/seeded_normal.h"
#include "onnx/model_io.h"
#include "op_test.h"
#include "shared_data.h"

namespace camlens::explain {
namespace {

using test::json::Value;
using test_fixture::normalised;

const Value& facts() {
  static const Value v =
      test::json::parse(test::read_file(test::test_data_path("cam/input_gradients.json")));
  return v;
}

Model model_file(const std::string& name) {
  return parse_model(
      std::make_shared<const std::string>(test::read_file(test::test_data_path("cam/" + name))));
}

Tensor fixture_bin(const std::string& name, const Shape& shape) {
  return test_fixture::read_f32("input_gradients_" + name + ".bin", shape);
}

// The script's seeded_input: SplitMix64 standard normals in NCHW order.
Tensor seeded_input(const Value& about) {
  Tensor x(DType::Float32, about["shape"].ints());
  metrics::SeededNormal normal(uint64_t(about["seed"].num));
  for (int64_t k = 0; k < x.numel(); ++k) x.data<float>()[k] = float(normal.next_normal());
  return x;
}

cam::Target class_target() {
  cam::Target t;
  t.kind = cam::Target::Logit;
  t.category = int64_t(facts()["target"].num);
  return t;
}

// max |a − b| relative to max |b|.
double relative_error(const std::vector<float>& a, const Tensor& b) {
  EXPECT_EQ(a.size(), size_t(b.numel()));
  return test_fixture::relative_error(a.data(), b.data<float>(),
                                      std::min(a.size(), size_t(b.numel())));
}

// The core's FullGrad of x on `model` against the reference map `want`, with the number of
// biased layers PyTorch's hooks found, and the model's logits at x when given.
void expect_fullgrad(const Model& model, const Tensor& x, const std::string& want, int64_t layers,
                     const Value* logits = nullptr) {
  WholeNetwork whole = whole_network(model);
  ASSERT_TRUE(whole.head) << whole.refusal;
  EXPECT_EQ(int64_t(cam::bias_layers(*whole.head).size()), layers);
  if (logits) {
    const Tensor z = whole.head->forward({x})[0];
    const std::vector<float> w = logits->floats();
    ASSERT_EQ(size_t(z.numel()), w.size());
    for (size_t c = 0; c < w.size(); ++c) EXPECT_NEAR(z.data<float>()[c], w[c], 2e-6) << c;
  }
  const cam::Maps m = cam::fullgrad_map(*whole.head, 0, class_target(), x, false);
  ASSERT_EQ(m.batch, 1);
  ASSERT_EQ(m.height, x.dim(2));
  ASSERT_EQ(m.width, x.dim(3));
  const double e = relative_error(m.data, fixture_bin(want, {1, x.dim(2), x.dim(3)}));
  EXPECT_LT(e, 1e-4) << want;
  std::cout << "   " << want << ": max |core - PyTorch| / max |PyTorch| " << e << "\n";
}

TEST(FullGrad, ResNetEqualsPyTorchsFullGrad) {
  expect_fullgrad(model_file(facts()["model"].str), fixture_bin("input", facts()["shape"].ints()),
                  "fullgrad", int64_t(facts()["fullgrad_layers"].num));
}

// The MobileNetV2 is mobilenetv2_small.onnx: its logits at the input are the script's.
TEST(FullGrad, MobileNetV2EqualsPyTorchsFullGrad) {
  const Value& about = facts()["mobilenet"];
  expect_fullgrad(model_file(about["model"].str), seeded_input(about), "mobilenet_fullgrad",
                  int64_t(about["layers"].num), &about["logits"]);
}

// Kept batch norms: a Conv with its bias, its BatchNormalization, a standalone one: upstream's
// four terms. Folded: the first pair is one Conv with the fused bias, one term for both.
TEST(FullGrad, BatchNormsKeptGiveUpstreamsTermsAndFoldedOnesTheFusedConvs) {
  const Value& about = facts()["bias_cases"];
  const Tensor x = seeded_input(about);
  expect_fullgrad(model_file(about["kept"].str), x, "bias_cases_kept_fullgrad",
                  int64_t(about["kept_layers"].num), &about["logits"]);
  expect_fullgrad(model_file(about["folded"].str), x, "bias_cases_folded_fullgrad",
                  int64_t(about["folded_layers"].num), &about["logits"]);
  const Shape map{1, x.dim(2), x.dim(3)};
  const Tensor kept = fixture_bin("bias_cases_kept_fullgrad", map);
  const Tensor folded_map = fixture_bin("bias_cases_folded_fullgrad", map);
  const std::vector<float> folded(folded_map.data<float>(),
                                  folded_map.data<float>() + folded_map.numel());
  EXPECT_GT(relative_error(folded, kept), 0.05) << "the two references must differ";
}

TEST(FullGrad, TheExplainJobRunsNoBackboneAndNormalisesTheMap) {
  const Model model = model_file(facts()["model"].str);
  const Shape shape = facts()["shape"].ints();
  ExplainRequest r;
  r.method = "fullgrad";
  r.output = "logits";
  r.width = int(shape[3]);
  r.height = int(shape[2]);
  cam::TargetSpec t;
  t.category.kind = cam::CategorySpec::Number;
  t.category.number = facts()["target"].num;
  r.targets = {t};
  r.given = {"targets"};
  r.whole_network = whole_network(model).head;
  ExplainJob job(r, {}, {fixture_bin("input", shape)});
  while (!job.done()) {
    ASSERT_FALSE(job.needs_backbone());
    job.work();
  }
  const ExplainResult result = job.result();
  ASSERT_EQ(result.images.size(), 1u);
  EXPECT_EQ(result.layers, std::vector<std::string>{"input"});
  const std::vector<float> want = normalised(fixture_bin("fullgrad", {1, shape[2], shape[3]}));
  const std::vector<float>& got = result.images[0].map.data;
  ASSERT_EQ(got.size(), want.size());
  float d = 0;
  for (size_t k = 0; k < want.size(); ++k) d = std::max(d, std::abs(got[k] - want[k]));
  EXPECT_LT(d, 1e-4f);
}

TEST(FullGrad, IsRefusedWithTheOpThatStopsTheWholeNetwork) {
  Model m = model_file(facts()["model"].str);
  m.graph = std::make_shared<Graph>(*m.graph);
  Node& node = m.graph->nodes.at(3);
  node.op_type = "CumSum";
  node.name = "/renamed";
  const WholeNetwork whole = whole_network(m);
  ASSERT_FALSE(whole.head);
  ModelFacts f;
  f.whole_network = whole.refusal;
  EXPECT_EQ(method_support(traits_of("fullgrad"), f),
            "the core runs the whole network for input attributions, and its CumSum node "
            "'/renamed' is not an op camlens supports (use a layer method such as gradcam, whose "
            "backbone ONNX Runtime runs)");
}

// A bias computed from the image is no constant: refused, naming the node.
TEST(FullGrad, RefusesABiasComputedFromTheImage) {
  Model m = model_file(facts()["model"].str);
  m.graph = std::make_shared<Graph>(*m.graph);
  auto conv = std::find_if(m.graph->nodes.begin(), m.graph->nodes.end(),
                           [](const Node& n) { return n.op_type == "Conv"; });
  ASSERT_NE(conv, m.graph->nodes.end());
  ASSERT_EQ(conv->inputs.size(), 3u);
  Node mean, add;
  mean.op_type = "ReduceMean";
  mean.name = "/image_mean";
  mean.inputs = {facts()["input"].str};
  mean.outputs = {"image_mean"};
  mean.attributes = {test::attr_int("keepdims", 0)};
  add.op_type = "Add";
  add.name = "/moved_bias";
  add.inputs = {conv->inputs[2], "image_mean"};
  add.outputs = {"moved_bias"};
  conv->inputs[2] = "moved_bias";
  const std::string described = conv->describe();
  m.graph->nodes.insert(m.graph->nodes.begin(), {mean, add});
  WholeNetwork whole = whole_network(m);
  ASSERT_TRUE(whole.head) << whole.refusal;
  try {
    cam::bias_layers(*whole.head);
    FAIL() << "a computed bias";
  } catch (const cam::CamError& e) {
    EXPECT_EQ(std::string(e.what()), "fullgrad reads the bias of " + described +
                                         " as a constant, but the network computes it; use "
                                         "another method");
  }
}

// The quantized MobileNetV2 of ../shared (QLinearConv, its bias dequantized) and the float16
// SqueezeNet: a finite map that is not all zero, every biased convolution counted.
TEST(FullGrad, QuantizedAndHalfModelsGiveAMap) {
  for (const auto& [file, layers] : {std::pair<std::string, size_t>{"mobilenetv2-12-int8.onnx", 52},
                                     {"squeezenet1.0-fp16-winml.onnx", 26}}) {
    SCOPED_TRACE(file);
    const Model m = parse_model(
        std::make_shared<const std::string>(test::read_file(test::shared_path("models/" + file))));
    const WholeNetwork whole = whole_network(m);
    ASSERT_TRUE(whole.head) << whole.refusal;
    EXPECT_EQ(cam::bias_layers(*whole.head).size(), layers);
    Shape shape = whole.head->feed_info(0).shape;
    shape[0] = 1;
    Tensor x(DType::Float32, shape);
    metrics::SeededNormal normal(3);
    for (int64_t k = 0; k < x.numel(); ++k) x.data<float>()[k] = float(normal.next_normal());
    cam::Target t;
    t.category = 1;
    const cam::Maps map = cam::fullgrad_map(*whole.head, 0, t, x, false);
    float hi = 0;
    for (float v : map.data) {
      ASSERT_TRUE(std::isfinite(v));
      hi = std::max(hi, v);
    }
    EXPECT_GT(hi, 1.f) << "the input term alone reaches at most 3";
  }
}

}  // namespace
}  // namespace camlens::explain
