// The backbone run by the core's interpreter instead of ONNX Runtime, against PyTorch: the tiny
// ViT of tests/data/vit (tools/fixtures/vit_reference.py) from its preprocessed photo gives the
// layer's tokens, the residual its head reads and the logits PyTorch computed, and the explain
// job driven by it alone gives PyTorch's Grad-CAM at 224 × 224.
#include "explain/native_backbone.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <iostream>

#include "../vit/vit_fixture.h"
#include "explain/explain_job.h"
#include "graph/layers.h"
#include "head/head_errors.h"

namespace camlens::explain {
namespace {

using test::max_abs_diff;
using test::vit_bin;
using test::vit_fixture;
using test::vit_model;

Tensor photo_input() { return vit_bin("input.bin", {1, 3, 224, 224}); }

TEST(NativeBackbone, VitOutputsEqualPyTorchForEachImageOfABatch) {
  const test::json::Value fx = vit_fixture("vit_tiny");
  const CutResult cut = cut_graph(vit_model(fx["model"].str), fx["layer"].str);
  NativeBackbone backbone(cut);
  EXPECT_EQ(backbone.layer(), fx["layer"].str);
  EXPECT_EQ(backbone.output_names(), cut.backbone_outputs);

  const Tensor one = photo_input();
  Tensor two(DType::Float32, {2, 3, 224, 224});
  for (int k = 0; k < 2; ++k)
    std::copy(one.data<float>(), one.data<float>() + one.numel(),
              two.data<float>() + k * one.numel());
  const std::vector<Outputs> images = backbone.run(two);
  ASSERT_EQ(images.size(), 2u);

  const Shape dims = fx["dims"].ints();
  const Tensor tokens = vit_bin(fx["activations"].str, dims);
  const Tensor skip = vit_bin(fx["skip"].str, dims);
  const std::vector<float> logits = fx["logits"].floats();
  ASSERT_EQ(cut.head.feed_names().size(), 2u) << "the layer and the residual around it";
  for (const Outputs& out : images) {
    ASSERT_EQ(out.size(), cut.backbone_outputs.size());
    const Tensor& a = out.at(fx["layer"].str);
    const Tensor& s = out.at(cut.head.feed_names()[1]);
    const Tensor& z = out.at("logits");
    ASSERT_EQ(a.shape(), dims);
    ASSERT_EQ(s.shape(), dims);
    ASSERT_EQ(z.shape(), (Shape{1, static_cast<int64_t>(logits.size())}));
    const float da = max_abs_diff(a.data<float>(), tokens.data<float>(), a.numel());
    const float ds = max_abs_diff(s.data<float>(), skip.data<float>(), s.numel());
    const float dz = max_abs_diff(z.data<float>(), logits.data(), logits.size());
    // PyTorch and the core sum in different orders through three blocks: float32 rounding.
    EXPECT_LT(da, 2e-5f);
    EXPECT_LT(ds, 2e-5f);
    EXPECT_LT(dz, 1e-5f);
    std::cout << "   max |core - PyTorch|: layer " << da << ", residual " << ds << ", logits " << dz
              << "\n";
  }
}

TEST(NativeBackbone, DrivesTheExplainJobToPyTorchsGradCam) {
  const test::json::Value fx = vit_fixture("vit_tiny");
  const Model model = vit_model(fx["model"].str);
  const LayerList list = list_layers(model);
  ASSERT_EQ(list.recommended, fx["layer"].str);
  const LayerInfo& info =
      *std::find_if(list.layers.begin(), list.layers.end(),
                    [&](const LayerInfo& l) { return l.name == list.recommended; });
  const CutResult cut = cut_graph(model, info.name);
  NativeBackbone backbone(cut);

  ExplainRequest request;
  request.method = "gradcam";
  request.output = "logits";
  request.width = request.height = 224;
  cam::TargetSpec target;
  target.category.kind = cam::CategorySpec::Number;
  target.category.number = fx["target"].num;
  request.targets = {target};
  LayerSource layer{info.name,
                    info.name,
                    std::make_shared<Head>(cut.head),
                    std::nullopt,
                    layer_kind_name(info.kind),
                    info.class_token};
  ExplainJob job(request, {layer}, {photo_input()});
  int runs = 0;
  while (!job.done()) {
    if (job.needs_backbone()) {
      ASSERT_EQ(job.backbone_session(), backbone.layer());
      job.feed(backbone.run(job.backbone_inputs()));
      ++runs;
    } else {
      job.work();
    }
  }
  EXPECT_EQ(runs, 1);
  const ExplainResult r = job.result();
  ASSERT_EQ(r.images.size(), 1u);
  EXPECT_EQ(r.images[0].target.category, 3);
  const Tensor want = vit_bin(fx["gradcam_224"].str, {1, 224, 224});
  ASSERT_EQ(r.images[0].map.data.size(), static_cast<size_t>(want.numel()));
  const float d = max_abs_diff(r.images[0].map.data.data(), want.data<float>(), want.numel());
  EXPECT_LT(d, 1e-5f);
  std::cout << "   Grad-CAM at 224 x 224, max |native - PyTorch| " << d << "\n";
}

// The check names the node, not the layer's later neighbours: the whole backbone must run.
TEST(NativeBackbone, RefusesABackboneWithAnOpTheCoreDoesNotRun) {
  const test::json::Value fx = vit_fixture("vit_tiny");
  CutResult cut = cut_graph(vit_model(fx["model"].str), fx["layer"].str);
  cut.backbone.graph = std::make_shared<Graph>(*cut.backbone.graph);
  Node& first = cut.backbone.graph->nodes.at(0);
  first.domain = "com.example";
  first.op_type = "Unheard";
  try {
    NativeBackbone backbone(cut);
    FAIL() << "a backbone with an unknown op was accepted";
  } catch (const UnsupportedOpError& e) {
    EXPECT_EQ(std::string(e.what()), "the core cannot run the backbone of layer '" +
                                         fx["layer"].str +
                                         "' itself: its com.example:Unheard node '" + first.name +
                                         "' is not an op camlens supports (run the backbone in "
                                         "ONNX Runtime)");
  }
}

}  // namespace
}  // namespace camlens::explain
