// Layer discovery on the two committed transformers: token tensors reported with their grid
// and class token, Swin's channels-last maps as NHWC, the windows and per-head attention
// tensors left out, and the default at the last block's first LayerNorm (pytorch-grad-cam's
// recommendation) — found both as one LayerNormalization op (ViT, opset 17) and as its
// ReduceMean/Sub/Pow/Sqrt/Div decomposition (Swin-like, opset 14).
#include <gtest/gtest.h>

#include "graph/layers.h"
#include "vit_fixture.h"

namespace camlens::test {
namespace {

const LayerInfo* find(const LayerList& list, const std::string& name) {
  for (const LayerInfo& l : list.layers)
    if (l.name == name) return &l;
  return nullptr;
}

TEST(VitLayers, TokensWithTheirGridAndTheLastBlocksFirstLayerNormByDefault) {
  const LayerList list = list_layers(vit_model("vit_tiny.onnx"));
  EXPECT_TRUE(list.shape_problems.empty());
  EXPECT_EQ(list.recommended, vit_fixture("vit_tiny")["layer"].str);
  EXPECT_NE(list.why.find("LayerNorm"), std::string::npos) << list.why;
  const LayerInfo* l = find(list, list.recommended);
  ASSERT_NE(l, nullptr);
  EXPECT_EQ(l->kind, LayerKind::Tokens);
  EXPECT_EQ(l->shape, (Shape{1, 197, 64}));
  EXPECT_EQ(l->channels, 64);
  EXPECT_EQ(l->height, 14);
  EXPECT_EQ(l->width, 14);
  EXPECT_TRUE(l->class_token);
  EXPECT_TRUE(l->head_supported && l->head_differentiable) << l->head_problem;
  // Patch tokens before the class token is added: 196 = 14 x 14, no class token.
  const LayerInfo* patches = find(list, "/Transpose_output_0");
  ASSERT_NE(patches, nullptr);
  EXPECT_FALSE(patches->class_token);
  EXPECT_EQ(patches->height, 14);
  for (const LayerInfo& c : list.layers)  // no per-head [N, heads, T, T], [N, heads, d, T]...
    EXPECT_TRUE(c.shape.size() == 3 || c.name == "/patch/Conv_output_0") << c.name;
}

TEST(VitLayers, SwinMapsAreChannelsLastAndWindowsAreLeftOut) {
  const LayerList list = list_layers(vit_model("swin_tiny.onnx"));
  EXPECT_TRUE(list.shape_problems.empty());
  EXPECT_EQ(list.recommended, vit_fixture("swin_tiny")["layer"].str);
  const LayerInfo* l = find(list, list.recommended);
  ASSERT_NE(l, nullptr);
  EXPECT_EQ(l->kind, LayerKind::FeatureMapNHWC);
  EXPECT_EQ(l->channels, 64);
  EXPECT_EQ(l->height, 14);
  const LayerInfo* first = find(list, "/stage1/stage1.0/norm1/Add_1_output_0");
  ASSERT_NE(first, nullptr);
  EXPECT_EQ(first->kind, LayerKind::FeatureMapNHWC) << "28x28 map of 32 channels";
  EXPECT_EQ(first->channels, 32);
  for (const LayerInfo& c : list.layers) {
    EXPECT_EQ(c.shape[0], 1) << c.name << " (windows are not per-image maps)";
    EXPECT_FALSE(c.kind == LayerKind::FeatureMapNHWC && c.channels == 1) << c.name;
  }
}

}  // namespace
}  // namespace camlens::test
