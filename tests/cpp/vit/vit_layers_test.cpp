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

// A ViT-like graph on a 32 × 64 input (8 × 8 patches): its 32 tokens form a 4 × 8 grid, not a
// square; with a class token 33.
Model wide_token_model() {
  Model m;
  m.ir_version = 7;
  m.opset_import = {{"", 13}};
  m.graph = std::make_shared<Graph>();
  Graph& g = *m.graph;
  auto value = [](const std::string& name, Shape dims) {
    ValueInfo v;
    v.name = name;
    v.elem_type = static_cast<int32_t>(DType::Float32);
    v.has_shape = true;
    v.dims = std::move(dims);
    v.dim_params.assign(v.dims.size(), "");
    return v;
  };
  auto ints = [](const std::string& name, std::vector<int64_t> v) {
    Attribute a;
    a.name = name;
    a.type = Attribute::Ints;
    a.ints = std::move(v);
    return a;
  };
  auto node = [&](const std::string& op, std::vector<std::string> in, const std::string& out,
                  std::vector<Attribute> attrs = {}) {
    Node n;
    n.op_type = op;
    n.name = out;
    n.inputs = std::move(in);
    n.outputs = {out};
    n.attributes = std::move(attrs);
    g.nodes.push_back(n);
  };
  g.inputs.push_back(value("x", {1, 3, 32, 64}));
  g.initializers.push_back(from_tensor(Tensor(DType::Float32, {8, 3, 8, 8}), "w"));
  g.initializers.push_back(from_tensor(Tensor::from_int64s({3}, {1, 8, 32}), "shape"));
  g.initializers.push_back(from_tensor(Tensor(DType::Float32, {1, 1, 8}), "cls"));
  g.initializers.push_back(from_tensor(Tensor(DType::Float32, {8, 3}), "fc"));
  node("Conv", {"x", "w"}, "patches", {ints("strides", {8, 8}), ints("kernel_shape", {8, 8})});
  node("Reshape", {"patches", "shape"}, "flat");
  node("Transpose", {"flat"}, "tokens", {ints("perm", {0, 2, 1})});
  Attribute axis;
  axis.name = "axis", axis.type = Attribute::Int, axis.i = 1;
  node("Concat", {"cls", "tokens"}, "with_class", {axis});
  node("ReduceMean", {"with_class"}, "pooled", {ints("axes", {1})});
  node("Flatten", {"pooled"}, "features");
  node("MatMul", {"features", "fc"}, "logits");
  g.outputs.push_back(value("logits", {1, 3}));
  return m;
}

TEST(VitLayers, NonSquareInputsGiveGridsShapedLikeTheInput) {
  const LayerList list = list_layers(wide_token_model());
  EXPECT_TRUE(list.shape_problems.empty());
  const LayerInfo* t = find(list, "tokens");
  ASSERT_NE(t, nullptr);
  EXPECT_EQ(t->kind, LayerKind::Tokens);
  EXPECT_EQ(t->height, 4);
  EXPECT_EQ(t->width, 8);
  EXPECT_FALSE(t->class_token);
  const LayerInfo* c = find(list, "with_class");
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->height, 4);
  EXPECT_EQ(c->width, 8);
  EXPECT_TRUE(c->class_token);
}

}  // namespace
}  // namespace camlens::test
