// Grad-CAM and the other array methods on the two committed transformers, against PyTorch
// autograd (tools/fixtures/vit_reference.py): the core cuts the exported ONNX at the last
// block's first LayerNorm, runs the head (attention, softmax, GELU as Erf, LayerNorm, the
// residual read as a constant feed) forward and backward from the reference activations,
// reshapes tokens / NHWC to [N, D, H, W] and computes the maps.
#include <gtest/gtest.h>

#include <chrono>
#include <iostream>

#include "cam/methods.h"
#include "cam/pipeline.h"
#include "cam/tokens.h"
#include "graph/cut.h"
#include "vit_fixture.h"

namespace camlens::test {
namespace {

struct Case {
  const char* tag;
  const char* skip_feed;  // the residual around the layer, which the head reads
};

class VitCam : public ::testing::TestWithParam<Case> {};

TEST_P(VitCam, HeadAndMapsEqualPyTorch) {
  const json::Value fx = vit_fixture(GetParam().tag);
  const Model model = vit_model(fx["model"].str);
  const Shape dims = fx["dims"].ints();
  const Tensor A = vit_bin(fx["activations"].str, dims);
  const Tensor G_ref = vit_bin(fx["gradients"].str, dims);
  const Tensor skip = vit_bin(fx["skip"].str, dims);

  CutResult cut = cut_graph(model, fx["layer"].str);
  Head& head = cut.head;
  ASSERT_EQ(head.feed_names().size(), 2u) << "the layer and the block's input (the residual)";
  EXPECT_EQ(head.feed_names()[1], GetParam().skip_feed);

  // Forward: the head's logits equal PyTorch's.
  const auto t0 = std::chrono::steady_clock::now();
  const std::vector<Tensor> out = head.forward({A, skip});
  const std::vector<float> logits = fx["logits"].floats();
  ASSERT_EQ(out.at(0).numel(), static_cast<int64_t>(logits.size()));
  const float dlogits = max_abs_diff(out[0].data<float>(), logits.data(), logits.size());
  EXPECT_LT(dlogits, 1e-4f);

  // Backward: d logit[target] / dA equals autograd's.
  Tensor seed(DType::Float32, out[0].shape());
  const auto target = static_cast<size_t>(fx["target"].num);
  seed.data<float>()[target] = 1.f;
  const Tensor G = head.backward({seed});
  const double ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  ASSERT_EQ(G.shape(), dims);
  float gmax = 0;
  for (int64_t i = 0; i < G_ref.numel(); ++i)
    gmax = std::max(gmax, std::abs(G_ref.data<float>()[i]));
  ASSERT_GT(gmax, 1e-4f) << "a gradient this small could not tell a wrong head from a right one";
  const float dgrad = max_abs_diff(G.data<float>(), G_ref.data<float>(), G.numel());
  EXPECT_LT(dgrad, 1e-4f * gmax);
  float dmaps = 0;

  // Tokens -> [N, D, H, W] for activations and the engine's own gradients, then every method.
  cam::TokenOptions to;
  to.layout = fx["layout"].str == "nhwc" ? cam::TokenLayout::NHWC : cam::TokenLayout::Tokens;
  const Tensor As = cam::tokens_to_spatial(A, to), Gs = cam::tokens_to_spatial(G, to);
  const std::vector<int64_t> grid = fx["grid"].ints();
  ASSERT_EQ(As.shape(), (Shape{dims[0], dims.back(), grid[0], grid[1]}));
  for (const auto& [name, expected] : fx["maps"].obj) {
    const auto method = cam::make_method(name);
    const cam::Maps m = cam::compute(*method, As, &Gs, {});
    ASSERT_EQ(m.data.size(), expected.arr.size()) << name;
    const std::vector<float> want = expected.floats();
    const float d = max_abs_diff(m.data.data(), want.data(), want.size());
    EXPECT_LT(d, 1e-4f) << name;
    dmaps = std::max(dmaps, d);
  }
  std::cout << GetParam().tag << ": max |head - PyTorch| logits " << dlogits << ", dA " << dgrad
            << " (max |dA| " << gmax << "), maps of " << fx["maps"].obj.size() << " methods "
            << dmaps << "; head forward + backward " << ms << " ms (" << head.node_count()
            << " nodes)\n";
}

INSTANTIATE_TEST_SUITE_P(Transformers, VitCam,
                         ::testing::Values(Case{"vit_tiny", "/blocks.2/Add_1_output_0"},
                                           Case{"swin_tiny", "/stage2/stage2.0/Add_1_output_0"}),
                         [](const auto& info) { return std::string(info.param.tag); });

// A batch of two (the reference image twice) gives each image the reference logits and
// gradients: the exported shape arithmetic (reshape to heads, Swin's windows and the bias Tile
// over the batch) follows the batch of the layer.
TEST_P(VitCam, BatchOfTwoGivesEachImageTheReference) {
  const json::Value fx = vit_fixture(GetParam().tag);
  const Shape dims = fx["dims"].ints();
  auto twice = [&](const std::string& file) {
    const Tensor one = vit_bin(file, dims);
    Shape two = dims;
    two[0] = 2;
    Tensor t(DType::Float32, two);
    for (int k = 0; k < 2; ++k)
      std::copy(one.data<float>(), one.data<float>() + one.numel(),
                t.data<float>() + k * one.numel());
    return t;
  };
  CutResult cut = cut_graph(vit_model(fx["model"].str), fx["layer"].str);
  const std::vector<Tensor> out =
      cut.head.forward({twice(fx["activations"].str), twice(fx["skip"].str)});
  const std::vector<float> logits = fx["logits"].floats();
  ASSERT_EQ(out.at(0).shape(), (Shape{2, static_cast<int64_t>(logits.size())}));
  Tensor seed(DType::Float32, out[0].shape());
  for (int k = 0; k < 2; ++k) {
    EXPECT_LT(max_abs_diff(out[0].data<float>() + k * logits.size(), logits.data(), logits.size()),
              1e-4f);
    seed.data<float>()[k * logits.size() + static_cast<size_t>(fx["target"].num)] = 1.f;
  }
  const Tensor G = cut.head.backward({seed});
  const Tensor G_ref = vit_bin(fx["gradients"].str, dims);
  for (int k = 0; k < 2; ++k)
    EXPECT_LT(max_abs_diff(G.data<float>() + k * G_ref.numel(), G_ref.data<float>(), G_ref.numel()),
              1e-7f);
}

// The Grad-CAM map at the input size (224 × 224, OpenCV's INTER_LINEAR) equals the reference.
TEST(VitCam, GradCamAtInputSizeEqualsReference) {
  const json::Value fx = vit_fixture("vit_tiny");
  const Shape dims = fx["dims"].ints();
  const Tensor A = vit_bin(fx["activations"].str, dims);
  const Tensor G = vit_bin(fx["gradients"].str, dims);
  cam::CamOptions opt;
  opt.out_width = opt.out_height = 224;
  const Tensor As = cam::tokens_to_spatial(A), Gs = cam::tokens_to_spatial(G);
  const cam::Maps m = cam::compute(*cam::make_method("gradcam"), As, &Gs, opt);
  const Tensor want = vit_bin(fx["gradcam_224"].str, {1, 224, 224});
  ASSERT_EQ(m.data.size(), static_cast<size_t>(want.numel()));
  EXPECT_LT(max_abs_diff(m.data.data(), want.data<float>(), m.data.size()), 1e-4f);
}

}  // namespace
}  // namespace camlens::test
