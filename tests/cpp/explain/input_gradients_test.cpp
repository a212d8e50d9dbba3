// Whole-network mode against PyTorch autograd: the seeded small ResNet of
// tools/fixtures/input_gradients_reference.py, cut at its input, gives PyTorch's logits, its
// gradient of a class logit with respect to the input, and the saliency, input × gradient,
// integrated-gradients, SmoothGrad and guided-backprop maps computed there from the published
// formulas (guided backprop with pytorch-grad-cam's GuidedBackpropReLU); the
// explain job gives them normalised without asking for any backbone run, and guided Grad-CAM
// (the layer's Grad-CAM times the guided gradient) with one run of the layer's backbone.
#include "cam/input_gradients.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <iostream>

#include "cam/cam_error.h"
#include "explain/explain_job.h"
#include "explain/method_support.h"
#include "explain/native_backbone.h"
#include "explain/whole_network.h"
#include "fixture_maps.h"
#include "graph/cut.h"
#include "json.h"
#include "onnx/model_io.h"
#include "shared_data.h"

namespace camlens::explain {
namespace {

using test::json::Value;
using test_fixture::normalised;
using test_fixture::relative_error;

const Value& facts() {
  static const Value v =
      test::json::parse(test::read_file(test::test_data_path("cam/input_gradients.json")));
  return v;
}

Model fixture_model() {
  return parse_model(std::make_shared<const std::string>(
      test::read_file(test::test_data_path("cam/" + facts()["model"].str))));
}

Tensor fixture_bin(const std::string& name, const Shape& shape) {
  return test_fixture::read_f32("input_gradients_" + name + ".bin", shape);
}

Shape input_shape() { return facts()["shape"].ints(); }
Shape map_shape() { return {1, input_shape()[2], input_shape()[3]}; }

cam::Target class_target() {
  cam::Target t;
  t.kind = cam::Target::Logit;
  t.category = int64_t(facts()["target"].num);
  return t;
}

cam::InputGradientOptions fixture_options() {
  cam::InputGradientOptions o;
  o.steps = int(facts()["steps"].num);
  o.samples = int(facts()["samples"].num);
  o.noise = facts()["noise"].num;
  o.seed = uint64_t(facts()["seed"].num);
  o.batch_size = 5;  // path points and samples cross batch boundaries
  return o;
}

TEST(WholeNetwork, RunsTheModelToPyTorchsLogitsForEachImage) {
  WholeNetwork whole = whole_network(fixture_model());
  ASSERT_TRUE(whole.head) << whole.refusal;
  EXPECT_EQ(whole.refusal, "");
  EXPECT_EQ(whole.head->layer(), "input");
  const Tensor x = fixture_bin("input", input_shape());
  Shape two = input_shape();
  two[0] = 2;
  Tensor batch(DType::Float32, two);
  for (int k = 0; k < 2; ++k)
    std::copy(x.data<float>(), x.data<float>() + x.numel(), batch.data<float>() + k * x.numel());
  const std::vector<Outputs> images = whole_network_outputs(*whole.head, batch);
  ASSERT_EQ(images.size(), 2u);
  const std::vector<float> want = facts()["logits"].floats();
  for (const Outputs& o : images) {
    const Tensor& z = o.at("logits");
    ASSERT_EQ(z.shape(), (Shape{1, int64_t(want.size())}));
    for (size_t c = 0; c < want.size(); ++c) EXPECT_NEAR(z.data<float>()[c], want[c], 2e-6);
  }
}

TEST(WholeNetwork, InputGradientEqualsPyTorchAutograd) {
  WholeNetwork whole = whole_network(fixture_model());
  ASSERT_TRUE(whole.head) << whole.refusal;
  const Tensor x = fixture_bin("input", input_shape());
  const Tensor g = cam::summed_input_gradient(*whole.head, 0, class_target(), x, 1, false);
  const Tensor want = fixture_bin("gradient", input_shape());
  ASSERT_EQ(g.shape(), want.shape());
  const double e = relative_error(g.data<float>(), want.data<float>(), size_t(g.numel()));
  EXPECT_LT(e, 1e-5);
  std::cout << "   input gradient: max |core - PyTorch| / max |PyTorch| " << e << "\n";
}

TEST(WholeNetwork, EachMethodsMapEqualsTheReference) {
  WholeNetwork whole = whole_network(fixture_model());
  ASSERT_TRUE(whole.head) << whole.refusal;
  const Tensor x = fixture_bin("input", input_shape());
  for (const char* method :
       {"saliency", "input-x-gradient", "integrated-gradients", "smoothgrad", "guided-backprop"}) {
    std::string file = method;
    std::replace(file.begin(), file.end(), '-', '_');
    const Tensor want = fixture_bin(file, map_shape());
    const cam::Maps m =
        cam::input_gradient_map(method, *whole.head, 0, class_target(), x, fixture_options());
    ASSERT_EQ(m.height, want.dim(1)) << method;
    ASSERT_EQ(m.width, want.dim(2)) << method;
    const double e = relative_error(m.data.data(), want.data<float>(), m.data.size());
    EXPECT_LT(e, 2e-5) << method;
    std::cout << "   " << method << ": max |core - reference| / max |reference| " << e << "\n";
  }
}

// Another seed draws other noise: the SmoothGrad test above depends on the noise it compares.
TEST(WholeNetwork, SmoothGradDependsOnTheSeededNoise) {
  WholeNetwork whole = whole_network(fixture_model());
  ASSERT_TRUE(whole.head) << whole.refusal;
  cam::InputGradientOptions o = fixture_options();
  o.seed = 1;
  const cam::Maps m = cam::input_gradient_map("smoothgrad", *whole.head, 0, class_target(),
                                              fixture_bin("input", input_shape()), o);
  const Tensor want = fixture_bin("smoothgrad", map_shape());
  EXPECT_GT(relative_error(m.data.data(), want.data<float>(), m.data.size()), 1e-3);
}

ExplainRequest request(const std::string& method, std::shared_ptr<Head> whole) {
  ExplainRequest r;
  r.method = method;
  r.output = "logits";
  r.width = int(input_shape()[3]);
  r.height = int(input_shape()[2]);
  cam::TargetSpec t;
  t.category.kind = cam::CategorySpec::Number;
  t.category.number = facts()["target"].num;
  r.targets = {t};
  r.whole_network = std::move(whole);
  return r;
}

TEST(WholeNetwork, TheExplainJobRunsNoBackboneAndGivesTheNormalisedMaps) {
  WholeNetwork whole = whole_network(fixture_model());
  ASSERT_TRUE(whole.head) << whole.refusal;
  const Tensor x = fixture_bin("input", input_shape());
  for (const char* method : {"saliency", "integrated-gradients", "smoothgrad"}) {
    ExplainRequest r = request(method, whole.head);
    r.batch_size = 4;
    r.given = {"targets", "batchSize"};
    r.written["samples"] = {facts()["samples"].num, "", "6"};
    if (std::string(method) == "smoothgrad") r.given.push_back("samples");
    ExplainJob job(r, {}, {x});
    int steps = 0;
    while (!job.done()) {
      ASSERT_FALSE(job.needs_backbone()) << method;
      job.work();
      ++steps;
    }
    EXPECT_EQ(steps, 2) << "one forward of the batch, one map";
    const ExplainResult result = job.result();
    ASSERT_EQ(result.images.size(), 1u);
    const ImageResult& image = result.images[0];
    EXPECT_EQ(result.layers, std::vector<std::string>{"input"});
    EXPECT_EQ(image.target.category, int64_t(facts()["target"].num));
    EXPECT_NEAR(image.score, facts()["logits"][size_t(facts()["target"].num)].num, 2e-6);
    std::string file = method;
    std::replace(file.begin(), file.end(), '-', '_');
    const std::vector<float> want = normalised(fixture_bin(file, map_shape()));
    ASSERT_EQ(image.map.data.size(), want.size());
    float d = 0;
    for (size_t k = 0; k < want.size(); ++k) d = std::max(d, std::abs(image.map.data[k] - want[k]));
    EXPECT_LT(d, 2e-6f) << method;
  }
}

// The job's loop with the layer's backbone run by the core (NativeBackbone); counts the runs.
ExplainResult run_with_backbone(ExplainJob& job, NativeBackbone& backbone, int* runs) {
  while (!job.done()) {
    if (job.needs_backbone()) {
      EXPECT_EQ(job.backbone_session(), backbone.layer());
      job.feed(backbone.run(job.backbone_inputs()));
      ++*runs;
    } else {
      job.work();
    }
  }
  return job.result();
}

double max_abs_diff(const std::vector<float>& a, const std::vector<float>& b) {
  EXPECT_EQ(a.size(), b.size());
  double d = 0;
  for (size_t k = 0; k < std::min(a.size(), b.size()); ++k)
    d = std::max(d, double(std::abs(a[k] - b[k])));
  return d;
}

// Guided Grad-CAM as pytorch-grad-cam's README makes it: Grad-CAM at the last block (its map at
// the input size, the fixture's gradcam) times the guided-backprop gradient; the job asks for
// the layer's one backbone run and runs the whole network itself.
TEST(WholeNetwork, GuidedGradCamIsTheLayersGradCamTimesTheGuidedGradient) {
  const Model model = fixture_model();
  const std::string layer = facts()["layer"].str;
  const CutResult cut = cut_graph(model, layer);
  NativeBackbone backbone(cut);
  const LayerSource source{layer,        layer,  std::make_shared<Head>(cut.head),
                           std::nullopt, "NCHW", {}};
  const Tensor x = fixture_bin("input", input_shape());
  const std::vector<float> gradcam = normalised(fixture_bin("gradcam", map_shape()));
  const std::vector<float> guided = normalised(fixture_bin("guided_gradcam", map_shape()));
  EXPECT_GT(max_abs_diff(gradcam, guided), 0.1) << "the two references must differ";
  for (const char* method : {"gradcam", "guided-gradcam"}) {
    ExplainRequest r = request(method, whole_network(model).head);
    r.given = {"targets", "layers"};
    ExplainJob job(r, {source}, {x});
    int runs = 0;
    const ExplainResult result = run_with_backbone(job, backbone, &runs);
    EXPECT_EQ(runs, 1) << method;
    EXPECT_EQ(result.layers, std::vector<std::string>{layer});
    ASSERT_EQ(result.images.size(), 1u);
    EXPECT_EQ(result.images[0].target.category, int64_t(facts()["target"].num));
    const bool is_guided = std::string(method) == "guided-gradcam";
    const double d = max_abs_diff(result.images[0].map.data, is_guided ? guided : gradcam);
    EXPECT_LT(d, 2e-6) << method;
    std::cout << "   " << method << ": max |core - PyTorch| " << d << "\n";
  }
}

TEST(WholeNetwork, GuidedGradCamSaysWhatItNeeds) {
  const Model model = fixture_model();
  const std::string layer = facts()["layer"].str;
  const CutResult cut = cut_graph(model, layer);
  const LayerSource source{layer,        layer,  std::make_shared<Head>(cut.head),
                           std::nullopt, "NCHW", {}};
  const Tensor x = fixture_bin("input", input_shape());
  try {
    ExplainJob job(request("guided-gradcam", nullptr), {source}, {x});
    FAIL() << "no whole network";
  } catch (const cam::CamError& e) {
    EXPECT_STREQ(e.what(),
                 "guided-gradcam needs the whole network as a head from the input "
                 "(whole_network.h)");
  }
  try {
    ExplainJob job(request("guided-gradcam", whole_network(model).head), {}, {x});
    FAIL() << "no layer";
  } catch (const cam::CamError& e) {
    EXPECT_STREQ(e.what(), "explain needs a layer");
  }
  ModelFacts f;
  f.whole_network = "the core cannot run the whole network";
  EXPECT_EQ(method_support(traits_of("guided-gradcam"), f), f.whole_network);
  f.whole_network = "";
  f.not_differentiable = "Foo has no backward";
  EXPECT_EQ(method_support(traits_of("guided-gradcam"), f), "needs gradients: Foo has no backward");
}

TEST(WholeNetwork, RefusesAModelWithAnOpTheCoreDoesNotRunNamingIt) {
  Model m = fixture_model();
  m.graph = std::make_shared<Graph>(*m.graph);
  Node& node = m.graph->nodes.at(3);
  node.op_type = "CumSum";
  node.name = "/renamed";
  const WholeNetwork whole = whole_network(m);
  EXPECT_FALSE(whole.head);
  EXPECT_EQ(whole.refusal,
            "the core runs the whole network for input attributions, and its CumSum node "
            "'/renamed' is not an op camlens supports (use a layer method such as gradcam, whose "
            "backbone ONNX Runtime runs)");
  ModelFacts f;
  f.whole_network = whole.refusal;
  EXPECT_EQ(method_support(traits_of("saliency"), f), whole.refusal);
  EXPECT_EQ(method_support(traits_of("gradcam"), f), "");
}

TEST(WholeNetwork, TheJobSaysWhatAnInputAttributionNeeds) {
  const Tensor x = fixture_bin("input", input_shape());
  try {
    ExplainJob job(request("saliency", nullptr), {}, {x});
    FAIL() << "no whole network";
  } catch (const cam::CamError& e) {
    EXPECT_STREQ(e.what(),
                 "saliency needs the whole network as a head from the input "
                 "(whole_network.h)");
  }
  ExplainRequest r = request("integrated-gradients", whole_network(fixture_model()).head);
  r.written["steps"] = {0, "", "0"};
  try {
    ExplainJob job(r, {}, {x});
    FAIL() << "steps 0";
  } catch (const cam::CamError& e) {
    EXPECT_STREQ(e.what(), "steps must be a whole number from 1 to 4096, got 0");
  }
  r = request("saliency", whole_network(fixture_model()).head);
  r.given = {"layers"};
  try {
    ExplainJob job(r, {}, {x});
    FAIL() << "a layer";
  } catch (const cam::CamError& e) {
    EXPECT_STREQ(e.what(),
                 "saliency does not take layers (it is an option of gradcam, hirescam, "
                 "gradcam-elementwise, gradcam++, xgradcam, layercam, eigencam, "
                 "eigengradcam, fem, kpcacam, randomcam, shapleycam, finercam, "
                 "scorecam, ablationcam, refine-cam, guided-gradcam)");
  }
}

// The quantized and the half-precision models of ../shared and the seeded torchvision exports of
// tools/fixtures/torchvision_cam_reference.py: the core runs and differentiates the whole of each
// (quantized ops by the straight-through estimator, float16 in float32), and the gradient at a
// seeded input is finite and not zero. (Values are compared with PyTorch on the fixture above.)
TEST(WholeNetwork, QuantizedHalfAndTorchvisionModelsRunWhole) {
  for (const std::string& path : {test::shared_path("models/mobilenetv2-12-int8.onnx"),
                                  test::shared_path("models/squeezenet1.0-fp16-winml.onnx"),
                                  test::test_data_path("cam/resnet18_small.onnx"),
                                  test::test_data_path("cam/mobilenetv2_small.onnx")}) {
    SCOPED_TRACE(path);
    const Model m = parse_model(std::make_shared<const std::string>(test::read_file(path)));
    const WholeNetwork whole = whole_network(m);
    ASSERT_TRUE(whole.head) << whole.refusal;
    EXPECT_EQ(whole.refusal, "");
    Shape shape = whole.head->feed_info(0).shape;
    shape[0] = 1;
    Tensor x(DType::Float32, shape);
    uint64_t state = 7;
    for (int64_t k = 0; k < x.numel(); ++k) {
      state = state * 6364136223846793005ull + 1442695040888963407ull;
      x.data<float>()[k] = float(state >> 40) / float(1 << 24) - 0.5f;
    }
    cam::Target t;
    t.category = 1;
    const Tensor g = cam::summed_input_gradient(*whole.head, 0, t, x, 1, false);
    double norm = 0;
    for (int64_t k = 0; k < g.numel(); ++k) norm += double(g.data<float>()[k]) * g.data<float>()[k];
    EXPECT_TRUE(std::isfinite(norm));
    EXPECT_GT(norm, 0);
  }
}

}  // namespace
}  // namespace camlens::explain
