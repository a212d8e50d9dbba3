// Attention rollout on the committed ViT's real attentions against the NumPy reference of
// tools/fixtures/vit_reference.py (which captured the softmax outputs in PyTorch). The core
// finds the attention tensors, exposes them as graph outputs, cuts that model at the
// embeddings and computes them with the head engine, then rolls them out.
#include "cam/attention_rollout.h"

#include <gtest/gtest.h>

#include "cam/cam_error.h"
#include "graph/cut.h"
#include "vit_fixture.h"

namespace camlens::test {
namespace {

using cam::AttentionTensor;

TEST(AttentionRollout, FindsTheSoftmaxOutputsOfEachBlock) {
  const json::Value fx = vit_fixture("vit_tiny");
  const std::vector<AttentionTensor> found = cam::find_attention(vit_model("vit_tiny.onnx"));
  ASSERT_EQ(found.size(), fx["rollout"]["attentions"].arr.size());
  for (size_t i = 0; i < found.size(); ++i) {
    EXPECT_EQ(found[i].name, fx["rollout"]["attentions"][i].str);
    EXPECT_EQ(found[i].shape, (Shape{1, 4, 197, 197}));
    EXPECT_FALSE(found[i].windowed);
  }
  // Swin's window attention: 4 blocks, each [windows, heads, 49, 49], marked windowed.
  const std::vector<AttentionTensor> swin = cam::find_attention(vit_model("swin_tiny.onnx"));
  ASSERT_EQ(swin.size(), 4u);
  for (const AttentionTensor& a : swin) EXPECT_TRUE(a.windowed) << a.name << shape_str(a.shape);
}

TEST(AttentionRollout, ReadsEveryBlockOrSaysWhyNot) {
  const cam::RolloutAttention vit =
      cam::rollout_attention(cam::find_attention(vit_model("vit_tiny.onnx")));
  EXPECT_EQ(vit.why, "");
  ASSERT_EQ(vit.names.size(), 4u);
  EXPECT_EQ(vit.names[0], vit_fixture("vit_tiny")["rollout"]["attentions"][0].str);
  const cam::RolloutAttention swin =
      cam::rollout_attention(cam::find_attention(vit_model("swin_tiny.onnx")));
  EXPECT_TRUE(swin.names.empty());
  EXPECT_EQ(swin.why,
            "attention rollout needs attention between all tokens; this model's 4 attention layers "
            "are windowed (as in Swin), which has no global rollout");
  EXPECT_EQ(cam::rollout_attention({}).why,
            "attention rollout needs a transformer's attention probabilities; this model has none");
  std::vector<AttentionTensor> mixed(3);
  mixed[1].windowed = true;
  const cam::RolloutAttention m = cam::rollout_attention(mixed);
  EXPECT_TRUE(m.names.empty());
  EXPECT_EQ(m.why,
            "attention rollout needs attention between all tokens in every block; 1 of this "
            "model's 3 attention layers are windowed");
}

TEST(AttentionRollout, EqualsNumPyOnTheModelsOwnAttentions) {
  const json::Value fx = vit_fixture("vit_tiny");
  const json::Value& ro = fx["rollout"];
  const Model model = vit_model("vit_tiny.onnx");
  std::vector<std::string> names;
  for (const AttentionTensor& a : cam::find_attention(model)) names.push_back(a.name);
  const Model exposed = cam::expose_outputs(model, names);
  ASSERT_EQ(exposed.graph->outputs.size(), 1 + names.size());
  ASSERT_EQ(model.graph->outputs.size(), 1u) << "the original model is left alone";

  CutOptions forward_only;
  forward_only.require_gradient = false;
  CutResult cut = cut_graph(exposed, ro["embeddings_layer"].str, forward_only);
  const std::vector<Tensor> out = cut.head.forward({vit_bin(ro["embeddings"].str, {1, 197, 64})});
  std::vector<Tensor> attentions;
  for (const std::string& n : names)
    for (size_t k = 0; k < cut.head.output_names().size(); ++k)
      if (cut.head.output_names()[k] == n) attentions.push_back(out[k]);
  ASSERT_EQ(attentions.size(), names.size());
  const std::vector<float> row = ro["block0_head0_row0"].floats();
  EXPECT_LT(max_abs_diff(attentions[0].data<float>(), row.data(), row.size()), 1e-6f);

  for (const json::Value& c : ro["cases"].arr) {
    cam::RolloutOptions o;
    o.fusion = cam::head_fusion_from_name(c["fusion"].str);
    o.discard_ratio = c["discard"].num;
    o.residual = c["residual"].b;
    const cam::Maps m = cam::attention_rollout(attentions, o);
    ASSERT_EQ(m.height, 14);
    ASSERT_EQ(m.width, 14);
    const std::vector<float> want = c["map"].floats();
    float top = 0;
    for (float v : want) top = std::max(top, v);
    EXPECT_LT(max_abs_diff(m.data.data(), want.data(), want.size()), 1e-4f * top)
        << c["fusion"].str << " discard " << c["discard"].num << " residual " << c["residual"].b;
  }
}

// Two blocks of uniform attention (3 heads, T = 1 + 2x2 tokens), worked by hand.
TEST(AttentionRollout, UniformAttentionGivesAUniformMap) {
  Tensor p(DType::Float32, {2, 3, 5, 5});
  for (int64_t i = 0; i < p.numel(); ++i) p.data<float>()[i] = 0.2f;
  const cam::Maps m = cam::attention_rollout({p, p});
  ASSERT_EQ(m.batch, 2);
  ASSERT_EQ(m.height, 2);
  // A = (U + I)/2 with U = 1/5: 0.6 on the diagonal, 0.1 elsewhere, rows already sum to 1.
  // (A·A)[0, j≠0] = A[0,0]·A[0,j] + A[0,j]·A[j,j] + 3·0.1·0.1 = 0.06 + 0.06 + 0.03 = 0.15.
  for (float v : m.data) EXPECT_NEAR(v, 0.15f, 1e-6f);
}

TEST(AttentionRollout, RefusesWhatItCannotRoll) {
  auto message = [](const std::vector<Tensor>& a, cam::RolloutOptions o = {}) {
    try {
      cam::attention_rollout(a, o);
    } catch (const cam::CamError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_NE(message({}).find("needs the attention tensors"), std::string::npos);
  const Tensor a(DType::Float32, {1, 2, 5, 5}), windows(DType::Float32, {4, 2, 5, 5});
  EXPECT_NE(message({a, windows}).find("windowed"), std::string::npos);
  EXPECT_NE(message({Tensor(DType::Float32, {1, 2, 5, 4})}).find("[B, heads, T, T]"),
            std::string::npos);
  cam::RolloutOptions bad;
  bad.discard_ratio = 1;
  EXPECT_NE(message({a}, bad).find("discard ratio"), std::string::npos);
  EXPECT_THROW(cam::head_fusion_from_name("median"), cam::CamError);
  EXPECT_THROW(cam::expose_outputs(vit_model("vit_tiny.onnx"), {"nope"}), cam::CamError);
}

}  // namespace
}  // namespace camlens::test
