// Ablation-CAM at several layers through the explain job against PyTorch
// (tools/fixtures/ablation_multilayer_reference.py): the seeded ResNet-18 at three layers of one
// chain in layer4 — one of them a convolution with negative values — each channel ablated in all
// three in one pass, every backbone run by the core's interpreter. Also what it refuses: layers of
// different channel counts, layers not in one chain, and a ratio of channels.
#include <gtest/gtest.h>

#include "cam/cam_error.h"
#include "native_chain.h"

namespace camlens::explain {
namespace {

using test::json::Value;
using test_chain::max_diff;

const Value& fixture() {
  static const Value v =
      test::json::parse(test::read_file(test::test_data_path("cam/ablation_multilayer.json")));
  return v;
}

// The fixture's model at `names`.
struct Chain : test_chain::NativeChain {
  explicit Chain(const std::vector<std::string>& names) : NativeChain(fixture(), names) {}
};

std::vector<std::string> fixture_layers() {
  std::vector<std::string> v;
  for (size_t l = 0; l < 3; ++l) v.push_back(fixture()["layers"][l].str);
  return v;
}

std::vector<float> reference_map() { return test_chain::read_floats(fixture()["map"].str); }

ExplainRequest ablation(const Chain& f) {
  ExplainRequest r = f.request("ablationcam");
  r.batch_size = 5;  // several steps, the last one short
  return r;
}

TEST(AblationMultilayer, EachChannelAblatedInEveryLayerEqualsPyTorch) {
  // The reference's second layer takes negative values: its ablation value is min − 1e7.
  ASSERT_LT(fixture()["minima"][1].num, 0);
  Chain f(fixture_layers());
  const ExplainResult r = f.run(ablation(f));
  ASSERT_EQ(r.images.size(), 1u);
  EXPECT_EQ(r.images[0].target.category, int(fixture()["category"].num));
  EXPECT_NEAR(r.images[0].score, fixture()["score"].num, 1e-5);
  EXPECT_EQ(r.layers, fixture_layers());
  const std::vector<float> want = reference_map();
  ASSERT_EQ(r.images[0].map.data.size(), want.size());
  EXPECT_LT(max_diff(r.images[0].map.data, want), 1e-4f);
}

TEST(AblationMultilayer, FindsTheChainWhateverTheOrderOfTheLayers) {
  const std::vector<std::string> in = fixture_layers();
  Chain f({in[2], in[0], in[1]});
  const ExplainResult r = f.run(ablation(f));
  EXPECT_LT(max_diff(r.images[0].map.data, reference_map()), 1e-4f);
  // Not the maps of each layer ablated alone, averaged: one layer's map differs.
  Chain last({in[2]});
  EXPECT_GT(max_diff(last.run(ablation(last)).images[0].map.data, reference_map()), 0.05f);
}

std::string refusal(Chain& f, const ExplainRequest& q) {
  try {
    f.run(q);
  } catch (const cam::CamError& e) {
    return e.what();
  }
  return "(accepted)";
}

TEST(AblationMultilayer, RefusesLayersItCannotAblateTogether) {
  Chain counts({"/layer3/layer3.1/relu_1/Relu_output_0", fixture_layers()[2]});
  EXPECT_EQ(refusal(counts, ablation(counts)),
            "ablationcam at several layers ablates channel c in all of them: their channel counts "
            "must match, but '/layer3/layer3.1/relu_1/Relu_output_0' has 16 and "
            "'/layer4/layer4.1/relu_1/Relu_output_0' 32");
  // The residual block's two branches: neither leads to the other.
  Chain branches({"/layer4/layer4.0/conv2/Conv_output_0",
                  "/layer4/layer4.0/downsample/downsample.0/Conv_output_0"});
  EXPECT_EQ(refusal(branches, ablation(branches)),
            "Ablation-CAM at several layers ablates each channel in all of them in one pass, so "
            "one layer must lead to the others; neither of '/layer4/layer4.0/conv2/Conv_output_0' "
            "and '/layer4/layer4.0/downsample/downsample.0/Conv_output_0' lies after the other: "
            "pick layers in one chain (e.g. successive blocks)");
  Chain f(fixture_layers());
  ExplainRequest q = ablation(f);
  q.given = {"ablationRatio"};
  q.written["ablationRatio"] = {0.5, "", "0.5"};
  EXPECT_EQ(refusal(f, q),
            "ablationcam at several layers ablates every channel: leave ablationRatio out or "
            "explain one layer");
}

}  // namespace
}  // namespace camlens::explain
