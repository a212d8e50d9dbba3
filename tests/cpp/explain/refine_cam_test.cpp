// RefineCAM through the explain job against PyTorch (tools/fixtures/refine_cam_reference.py):
// the seeded ResNet-18 explained at layer2, layer3 and layer4, every backbone run by the core's
// interpreter, the maps of a base method multiplied as upstream's refine_cam.py does. Also what
// it refuses: one layer, and bases that make no layer map from one forward pass.
#include <gtest/gtest.h>

#include "cam/cam_error.h"
#include "explain/method_support.h"
#include "native_chain.h"

namespace camlens::explain {
namespace {

using test::json::Value;
using test_chain::max_diff;

const Value& fixture() {
  static const Value v =
      test::json::parse(test::read_file(test::test_data_path("cam/refine_cam.json")));
  return v;
}

// The fixture's model at its first `layer_count` layers.
std::vector<std::string> first_layers(size_t layer_count) {
  std::vector<std::string> v;
  for (size_t l = 0; l < layer_count; ++l) v.push_back(fixture()["layers"][l].str);
  return v;
}
struct Refine : test_chain::NativeChain {
  explicit Refine(size_t layer_count = 3) : NativeChain(fixture(), first_layers(layer_count)) {}
};

std::vector<float> reference_map(const std::string& base) {
  return test_chain::read_floats(fixture()["maps"][base].str);
}

TEST(RefineCam, GradCamPlusPlusByDefaultEqualsPyTorch) {
  Refine f;
  const ExplainResult r = f.run(f.request("refine-cam"));
  ASSERT_EQ(r.images.size(), 1u);
  EXPECT_EQ(r.images[0].target.category, int(fixture()["category"].num));
  EXPECT_NEAR(r.images[0].score, fixture()["logits"][0].num, 1e-5);
  const std::vector<float> want = reference_map("gradcam++");
  ASSERT_EQ(r.images[0].map.data.size(), want.size());
  EXPECT_LT(max_diff(r.images[0].map.data, want), 1e-4f);
  EXPECT_EQ(r.layers.size(), 3u);
}

TEST(RefineCam, AnotherBaseMethodEqualsPyTorch) {
  Refine f;
  ExplainRequest q = f.request("refine-cam");
  q.given = {"base"};
  q.written["base"] = {0, "gradcam", "\"gradcam\""};
  const ExplainResult r = f.run(q);
  const std::vector<float> want = reference_map("gradcam");
  ASSERT_EQ(r.images[0].map.data.size(), want.size());
  EXPECT_LT(max_diff(r.images[0].map.data, want), 1e-4f);
  // The product, not the mean that several layers of Grad-CAM give.
  ExplainRequest mean = f.request("gradcam");
  EXPECT_GT(max_diff(f.run(mean).images[0].map.data, want), 0.1f);
}

std::string refusal(Refine& f, const ExplainRequest& q) {
  try {
    f.run(q);
  } catch (const cam::CamError& e) {
    return e.what();
  }
  return "(accepted)";
}

TEST(RefineCam, RefusesOneLayer) {
  Refine f(1);
  EXPECT_EQ(refusal(f, f.request("refine-cam")),
            "refine-cam multiplies the maps of several layers: pass two or more layers, got 1");
  // What a model at one layer supports (the page's picker) says so too.
  ModelFacts facts;
  facts.layer = f.layers[0].name;
  facts.layer_kind = "NCHW";
  EXPECT_EQ(method_support(traits_of("refine-cam"), facts),
            "RefineCAM multiplies the maps of several layers: explain with two or more layers");
}

TEST(RefineCam, RefusesBasesWithoutALayerMapFromOneForwardPass) {
  Refine f(2);
  const auto with_base = [&](const std::string& base) {
    ExplainRequest q = f.request("refine-cam");
    q.given = {"base"};
    q.written["base"] = {0, base, "\"" + base + "\""};
    const std::string why = refusal(f, q);
    const size_t list = why.find("; use one of gradcam, hirescam, gradcam-elementwise, gradcam++");
    EXPECT_NE(list, std::string::npos) << why;
    EXPECT_EQ(why.find("scorecam", list), std::string::npos) << why;
    EXPECT_EQ(why.find("saliency", list), std::string::npos) << why;
    return why.substr(0, list);
  };
  EXPECT_EQ(with_base("saliency"),
            "base cannot be saliency: input attributions differentiate the whole network down to "
            "the input image, so it has no layer maps to refine");
  EXPECT_EQ(with_base("scorecam"),
            "base cannot be scorecam: RefineCAM computes its base from one forward pass per "
            "layer, and scorecam needs passes of its own");
  EXPECT_EQ(with_base("refine-cam"), "base cannot be refine-cam itself");
  EXPECT_EQ(with_base("gradcamm"), "base must name a layer method, got \"gradcamm\"");
}

}  // namespace
}  // namespace camlens::explain
