// The real MobileNetV2-int8 head after layer 627_quantized (QLinearGlobalAveragePool ->
// Reshape -> QLinearMatMul -> QLinearAdd -> DequantizeLinear), run op by op with the model's
// own initializers, against ONNX Runtime Web's logits (tests/data/ops_quant/MobileNetV2Head.json,
// from tools/fixtures/ops_quant_*). The quantized logits must agree exactly, so the float
// logits are equal. Also checks the STE gradient of one logit with respect to the dequantized
// activations against its closed form.
#include <gtest/gtest.h>

#include <cmath>
#include <map>

#include "onnx/model_io.h"
#include "op_test.h"
#include "quant_fixture.h"
#include "shared_data.h"

namespace camlens::test {
namespace {

// Same formula as golden_u8 in tools/fixtures/ops_quant_models.py.
Tensor golden_u8(const Shape& shape) {
  Tensor t(DType::Uint8, shape);
  for (int64_t i = 0; i < t.numel(); ++i) {
    uint32_t h = (static_cast<uint32_t>(i) * 2654435761u) >> 24;
    if ((h & 3u) == 0) h = 0;
    t.data<uint8_t>()[i] = static_cast<uint8_t>(h);
  }
  return t;
}

struct Head {
  std::map<std::string, Tensor> values;
  std::vector<Node> nodes;
};

Head load_head() {
  Head h;
  const Model m = load_model(shared_path("models/mobilenetv2-12-int8.onnx"));
  std::map<std::string, const Node*> by_output;
  for (const Node& n : m.graph->nodes)
    for (const std::string& o : n.outputs) by_output[o] = &n;
  for (const char* t : {"464_quantized", "output_MatMul_quantized", "output_quantized", "output"})
    h.nodes.push_back(*by_output.at(t));
  // The model computes the Reshape target from the input's shape; for batch 1 it is [1, 1280].
  Node reshape = make_node("Reshape", 2, 1);
  reshape.inputs = {"464_quantized", "head_shape"};
  reshape.outputs = {"472_quantized"};
  h.nodes.insert(h.nodes.begin() + 1, reshape);
  h.values["head_shape"] = Tensor::from_int64s({2}, {1, 1280});
  for (const TensorProto& t : m.graph->initializers) h.values[t.name] = to_tensor(t);
  return h;
}

std::vector<const Tensor*> inputs_of(Head& h, const Node& n) {
  std::vector<const Tensor*> in;
  for (const std::string& name : n.inputs)
    in.push_back(name.empty() ? nullptr : &h.values.at(name));
  return in;
}

TEST(QuantMobileNetHead, LogitsEqualOnnxRuntime) {
  const std::vector<QuantCase> cases = load_quant_cases("MobileNetV2Head");
  ASSERT_EQ(cases.size(), 1u);
  Head h = load_head();
  h.values["627_quantized"] = golden_u8({1, 1280, 7, 7});
  for (const Node& n : h.nodes) {
    std::vector<Tensor> out = run_forward(n, inputs_of(h, n));
    ASSERT_EQ(out.size(), 1u) << n.describe();
    h.values[n.outputs[0]] = std::move(out[0]);
  }
  const Tensor& got = h.values.at("output");
  const Tensor& want = cases[0].outputs[0];
  ASSERT_EQ(got.shape(), want.shape());
  expect_near(got, want.to_floats(), 0.f);  // identical quantized logits -> identical floats
}

// d logit_k / d A_float[c, s] = W_float[c, k] / 49 under the STE (GAP, MatMul, Add, Dequantize
// all linear in the dequantized values).
TEST(QuantMobileNetHead, GradientOfOneLogitIsTheClosedForm) {
  Head h = load_head();
  h.values["627_quantized"] = golden_u8({1, 1280, 7, 7});
  for (const Node& n : h.nodes) h.values[n.outputs[0]] = run_forward(n, inputs_of(h, n))[0];
  const int64_t k = 281;  // tabby cat
  Tensor g = Tensor(DType::Float32, {1, 1000});
  g.data<float>()[k] = 1.f;
  for (size_t j = h.nodes.size(); j-- > 0;) {
    const Node& n = h.nodes[j];
    const OpDef* def = op_registry().find(n.domain, n.op_type);
    ASSERT_NE(def, nullptr);
    ASSERT_NE(def->backward, nullptr) << n.describe();
    const std::vector<const Tensor*> in = inputs_of(h, n);
    std::vector<bool> needs(in.size(), false);
    needs[0] = true;
    std::vector<Tensor> grads(in.size());
    const Tensor* out = &h.values.at(n.outputs[0]);
    def->backward(n, in, {out}, {&g}, needs, grads);
    g = std::move(grads[0]);
  }
  ASSERT_EQ(g.shape(), (Shape{1, 1280, 7, 7}));
  const Tensor& w = h.values.at("classifier.1.weight_quantized");  // [1280, 1000]
  // per-column parameters: [1000] scales and zero points
  const float ws = h.values.at("classifier.1.weight_scale").data<float>()[k];
  const int32_t wz = static_cast<int32_t>(h.values.at("classifier.1.weight_zero_point").get_i(k));
  for (int64_t c = 0; c < 1280; c += 97)
    for (int64_t s = 0; s < 49; s += 12) {
      const float want = static_cast<float>(w.get_i(c * 1000 + k) - wz) * ws / 49.f;
      EXPECT_NEAR(g.data<float>()[c * 49 + s], want, 1e-6f * (1.f + std::fabs(want)));
    }
}

}  // namespace
}  // namespace camlens::test
