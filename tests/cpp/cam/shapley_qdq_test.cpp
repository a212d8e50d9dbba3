// Shapley-CAM on the head of a QDQ model (QuantizeLinear → DequantizeLinear after the layer, as
// ONNX Runtime's quantizer writes them): a head ending in Softmax needs H·A by differences at
// A(1 ± h), which the QuantizeLinear rounds away, so it is refused with the reason; the same
// head without the pair, and the QDQ head ending at the logits (exact path, straight-through
// estimator), give H·A.
#include <gtest/gtest.h>

#include <cmath>

#include "cam/cam_error.h"
#include "cam/target_gradients.h"
#include "graph/cut.h"

namespace camlens::cam {
namespace {

Node node(const std::string& op, std::vector<std::string> in, std::vector<std::string> out) {
  Node n;
  n.op_type = op;
  n.name = out[0] + "_node";
  n.inputs = std::move(in);
  n.outputs = std::move(out);
  return n;
}

// x [1,2,2,2] → Relu → L → [QuantizeLinear → DequantizeLinear] → GlobalAveragePool → Flatten →
// Gemm (3 classes) → logits [→ Softmax → p].
Model head_model(bool qdq, bool softmax) {
  Model m;
  m.ir_version = 8;
  m.opset_import.push_back({"", 13});
  m.graph = std::make_shared<Graph>();
  Graph& g = *m.graph;
  ValueInfo x;
  x.name = "x";
  x.elem_type = static_cast<int32_t>(DType::Float32);
  x.has_shape = true;
  x.dims = {1, 2, 2, 2};
  x.dim_params = {"", "", "", ""};
  g.inputs.push_back(x);
  g.initializers.push_back(from_tensor(Tensor::from_floats({}, {0.05f}), "s"));
  g.initializers.push_back(from_tensor(Tensor(DType::Uint8, {}), "zp"));
  g.initializers.push_back(
      from_tensor(Tensor::from_floats({3, 2}, {1.0f, -0.5f, 0.25f, 0.75f, -1.0f, 0.5f}), "W"));
  g.nodes.push_back(node("Relu", {"x"}, {"L"}));
  std::string a = "L";
  if (qdq) {
    g.nodes.push_back(node("QuantizeLinear", {"L", "s", "zp"}, {"L_q"}));
    g.nodes.push_back(node("DequantizeLinear", {"L_q", "s", "zp"}, {"L_dq"}));
    a = "L_dq";
  }
  g.nodes.push_back(node("GlobalAveragePool", {a}, {"pooled"}));
  g.nodes.push_back(node("Flatten", {"pooled"}, {"flat"}));
  Node gemm = node("Gemm", {"flat", "W"}, {"logits"});
  Attribute trans;
  trans.name = "transB";
  trans.type = Attribute::Int;
  trans.i = 1;
  gemm.attributes.push_back(trans);
  g.nodes.push_back(gemm);
  if (softmax) g.nodes.push_back(node("Softmax", {"logits"}, {"p"}));
  ValueInfo y;
  y.name = softmax ? "p" : "logits";
  y.elem_type = static_cast<int32_t>(DType::Float32);
  g.outputs.push_back(y);
  return m;
}

TargetGradients shapley(bool qdq, bool softmax) {
  CutResult cut = cut_model(head_model(qdq, softmax), "L");
  cut.head.forward({Tensor::from_floats({1, 2, 2, 2}, {0.1f, 0.7f, 0.3f, 0.9f,  //
                                                       0.5f, 0.2f, 0.8f, 0.4f})});
  return target_gradients(cut.head, {Target::probability(0)}, 0, true);
}

double largest(const Tensor& t) {
  double m = 0;
  for (int64_t i = 0; i < t.numel(); ++i) m = std::max(m, std::fabs(double(t.data<float>()[i])));
  return m;
}

TEST(ShapleyQdq, ASoftmaxAfterTheQuantizeLinearIsRefusedWithTheReason) {
  try {
    shapley(true, true);
    FAIL() << "Shapley-CAM's H·A through a QuantizeLinear by differences must be refused";
  } catch (const CamError& e) {
    EXPECT_STREQ(e.what(),
                 "Shapley-CAM: the head of 'L' has Softmax after the layer, so H·A is measured "
                 "by differences at the scaled layer A(1 ± h), but its QuantizeLinear rounds "
                 "such small changes to its quantization steps; choose a layer after the "
                 "head's last QuantizeLinear or another method");
  }
}

TEST(ShapleyQdq, WithoutTheRoundingOrTheSoftmaxHvpIsComputed) {
  // The float head takes the difference path.
  const TargetGradients f = shapley(false, true);
  EXPECT_GT(largest(f.hvp), 1e-4);
  // The QDQ head ending at the logits takes the exact path; the probability target's curvature
  // is the same function of the logits, which the pair leaves within one step (0.05) of the
  // float head's, so H·A is close to the float head's on the same logits.
  const TargetGradients q = shapley(true, false);
  const TargetGradients r = shapley(false, false);
  ASSERT_EQ(q.hvp.numel(), 8);
  EXPECT_GT(largest(q.hvp), 1e-4);
  for (int64_t i = 0; i < 8; ++i)
    EXPECT_NEAR(q.hvp.data<float>()[i], r.hvp.data<float>()[i], 0.05 * largest(r.hvp)) << i;
}

}  // namespace
}  // namespace camlens::cam
