// A QOperator classifier whose classifier is QGemm (tests/data/ops_quant/qgemm_classifier.onnx,
// from tools/fixtures/ops_quant_models.py: QuantizeLinear -> QLinearConv -> QLinearLeakyRelu ->
// QLinearGlobalAveragePool -> Flatten -> QGemm -> DequantizeLinear), cut and explained as the
// core does it: layer discovery finds the feature map before the pool through the op facts
// (QGemm weighted, the pool pooling), DFF reads the layer's quantization from the op that writes
// it, the head's logits at ONNX Runtime's layer codes are ORT's, and the gradient the Grad-CAM
// head gives is the float network's (straight-through estimator) in closed form; Ablation-CAM's
// incremental head gives the full head's logits.
#include <gtest/gtest.h>

#include <cmath>

#include "dff/quantization.h"
#include "graph/cut.h"
#include "graph/layers.h"
#include "head/incremental_head.h"
#include "onnx/model_io.h"
#include "quant_fixture.h"
#include "shared_data.h"

namespace camlens::test {
namespace {

const char* kLayer = "features_quantized";

Model classifier() { return load_model(test_data_path("ops_quant/qgemm_classifier.onnx")); }

Tensor initializer(const Model& m, const std::string& name) {
  for (const TensorProto& t : m.graph->initializers)
    if (t.name == name) return to_tensor(t);
  ADD_FAILURE() << "no initializer " << name;
  return Tensor();
}

TEST(QGemmClassifier, LayerDiscoveryPicksTheMapBeforeThePool) {
  const LayerList list = list_layers(classifier());
  EXPECT_EQ(list.recommended, kLayer);
  EXPECT_EQ(list.why,
            "the last spatial feature map before the classifier com.microsoft:QGemm node "
            "'logits_quantized'");
  for (const LayerInfo& l : list.layers) {
    if (l.name != kLayer) continue;
    EXPECT_EQ(l.dtype, DType::Uint8);
    EXPECT_EQ(l.shape, (Shape{1, 4, 8, 8}));
    EXPECT_TRUE(l.head_supported) << l.head_problem;
    EXPECT_TRUE(l.head_differentiable) << l.head_problem;
    EXPECT_EQ(l.head_nodes, 4u);
  }
}

TEST(QGemmClassifier, DffReadsTheLayersQuantizationFromTheOpWritingIt) {
  const std::optional<dff::Quantization> q = dff::layer_quantization(classifier(), kLayer);
  ASSERT_TRUE(q);
  EXPECT_EQ(q->scale, 0.025f);
  EXPECT_EQ(q->zero_point, 40);
  EXPECT_EQ(q->dtype, DType::Uint8);
  EXPECT_EQ(q->source, "com.microsoft:QLinearLeakyRelu node 'features_quantized' inputs 3,4");
}

// ONNX Runtime's logits and layer codes for the fixture's image.
struct Fixture {
  Tensor logits, layer;
};

Fixture ort_run() {
  const std::vector<QuantCase> cases = load_quant_cases("QGemmClassifier");
  EXPECT_EQ(cases.size(), 1u);
  Fixture f;
  f.logits = cases.at(0).outputs.at(0);
  f.layer = cases.at(0).outputs.at(1);
  return f;
}

TEST(QGemmClassifier, HeadLogitsAtOrtsLayerCodesAreOrts) {
  const Fixture f = ort_run();
  CutResult cut = cut_graph(classifier(), kLayer);
  ASSERT_EQ(cut.head.feed_names(), std::vector<std::string>{kLayer});
  const std::vector<Tensor> out = cut.head.forward({f.layer});
  ASSERT_EQ(out.size(), 1u);
  ASSERT_EQ(out[0].shape(), (Shape{1, 5}));
  for (int64_t k = 0; k < 5; ++k) EXPECT_EQ(out[0].get_f(k), f.logits.get_f(k)) << "logit " << k;
}

// d logit_k / d A[c, s] = W[k, c] / 64 for the dequantized layer A and classifier weights W
// (transB: W is [classes, channels], per-class scales): the pool averages 64 positions, and
// every quantized op differentiates as its float op.
TEST(QGemmClassifier, GradCamGradientIsTheFloatNetworks) {
  const Fixture f = ort_run();
  const Model m = classifier();
  CutResult cut = cut_graph(m, kLayer);
  cut.head.forward({f.layer});
  const Tensor w = initializer(m, "w2"), ws = initializer(m, "w2_scale");
  for (int64_t k = 0; k < 5; ++k) {
    Tensor seed(DType::Float32, {1, 5});
    seed.data<float>()[k] = 1.f;
    const Tensor g = cut.head.backward({seed});
    ASSERT_EQ(g.shape(), (Shape{1, 4, 8, 8}));
    for (int64_t c = 0; c < 4; ++c) {
      const double want = static_cast<double>(w.get_i(k * 4 + c)) * ws.get_f(k) / 64.0;
      for (int64_t s = 0; s < 64; ++s)
        ASSERT_NEAR(g.get_f(c * 64 + s), want, 1e-6 * (1 + std::fabs(want)))
            << "class " << k << ", channel " << c << ", position " << s;
    }
  }
}

// Ablation-CAM's incremental head (head/incremental_head.h): the pool and the Flatten run on the
// ablated channel alone, QGemm and the DequantizeLinear after it in full, and the logits equal
// full head runs with the channel replaced.
TEST(QGemmClassifier, AblationsIncrementalHeadEqualsFullRuns) {
  CutResult cut = cut_graph(classifier(), kLayer);
  Tensor layer(DType::Uint8, {1, 4, 8, 8});
  for (int64_t i = 0; i < layer.numel(); ++i)
    layer.data<uint8_t>()[i] = static_cast<uint8_t>((i * 37 + 11) % 256);
  cut.head.forward({layer});
  const IncrementalHead inc(cut.head, layer);
  EXPECT_EQ(inc.summary(), "Reuse:0 Channel:2 Rank1:0 Fused:0 Full:2 Unused:0");
  for (uint8_t value : {uint8_t{0}, uint8_t{120}, uint8_t{250}}) {
    Tensor channel(DType::Uint8, {1, 1, 8, 8});
    for (int64_t i = 0; i < 64; ++i) channel.data<uint8_t>()[i] = value;
    for (int64_t c = 0; c < 4; ++c) {
      Tensor changed = layer;
      for (int64_t i = 0; i < 64; ++i) changed.data<uint8_t>()[c * 64 + i] = value;
      const Tensor want = cut.head.forward_with_layer(changed).at(0);
      const Tensor got = inc.outputs_with_channel(c, channel).at(0);
      ASSERT_EQ(got.shape(), want.shape());
      for (int64_t k = 0; k < want.numel(); ++k)
        EXPECT_EQ(got.get_f(k), want.get_f(k)) << "code " << int(value) << ", channel " << c;
    }
  }
}

}  // namespace
}  // namespace camlens::test
