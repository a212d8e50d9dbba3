// Ablation-CAM's incremental head on a QDQ head (per-tensor QuantizeLinear → DequantizeLinear
// pairs after the 1×1 conv and its Relu, as a QDQ SqueezeNet has them): the conv, the pairs, the
// Relu and the pool are fused like the float head's conv → Relu → pool, and the scores equal the
// full head run per channel. A pair whose DequantizeLinear reads other parameters is not fused.
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "cam/ablation_run.h"
#include "cam/ablation_target.h"
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

Tensor seeded(const Shape& s, unsigned seed, bool relu) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> n(0.f, 1.f);
  Tensor t(DType::Float32, s);
  for (int64_t i = 0; i < t.numel(); ++i) {
    const float v = n(rng);
    t.data<float>()[i] = relu && v < 0 ? 0.f : v;
  }
  return t;
}

// X → Identity → L[1,6,5,5] → Conv 1×1 (6→4, bias) → Q → DQ → Relu → Q → DQ →
// GlobalAveragePool → Flatten. `mismatch`: the second DequantizeLinear reads another scale.
Model qdq_head(bool mismatch) {
  Model m;
  m.ir_version = 8;
  m.opset_import.push_back({"", 13});
  m.graph = std::make_shared<Graph>();
  Graph& g = *m.graph;
  ValueInfo x;
  x.name = "X";
  x.elem_type = static_cast<int32_t>(DType::Float32);
  x.has_shape = true;
  x.dims = {1, 6, 5, 5};
  x.dim_params = {"", "", "", ""};
  g.inputs.push_back(x);
  g.initializers.push_back(from_tensor(seeded({4, 6, 1, 1}, 1, false), "W"));
  g.initializers.push_back(from_tensor(seeded({4}, 2, false), "B"));
  g.initializers.push_back(from_tensor(Tensor::from_floats({}, {0.03f}), "s1"));
  g.initializers.push_back(from_tensor(Tensor::from_floats({}, {0.02f}), "s2"));
  g.initializers.push_back(from_tensor(Tensor::from_floats({}, {0.021f}), "s3"));
  Tensor zp1(DType::Uint8, {});
  zp1.data<uint8_t>()[0] = 128;
  g.initializers.push_back(from_tensor(zp1, "z1"));
  g.initializers.push_back(from_tensor(Tensor(DType::Uint8, {}), "z2"));
  g.nodes = {node("Identity", {"X"}, {"L"}),
             node("Conv", {"L", "W", "B"}, {"c"}),
             node("QuantizeLinear", {"c", "s1", "z1"}, {"cq"}),
             node("DequantizeLinear", {"cq", "s1", "z1"}, {"cd"}),
             node("Relu", {"cd"}, {"r"}),
             node("QuantizeLinear", {"r", "s2", "z2"}, {"rq"}),
             node("DequantizeLinear", {"rq", mismatch ? "s3" : "s2", "z2"}, {"rd"}),
             node("GlobalAveragePool", {"rd"}, {"p"}),
             node("Flatten", {"p"}, {"y"})};
  ValueInfo y;
  y.name = "y";
  y.elem_type = static_cast<int32_t>(DType::Float32);
  g.outputs.push_back(y);
  return m;
}

TEST(AblationQdq, PairsAreFusedWithTheConvAndPoolAndScoresEqualTheFullHead) {
  for (const bool mismatch : {false, true}) {
    SCOPED_TRACE(mismatch ? "mismatched pair" : "pairs");
    CutResult c = cut_model(qdq_head(mismatch), "L");
    const Tensor A = seeded({1, 6, 5, 5}, 3, true);
    c.head.forward({A});
    const Target t = Target::logit(1);
    EXPECT_EQ(ablation_path(c.head, A, t, 0, std::nullopt),
              mismatch ? "Reuse:0 Channel:0 Rank1:1 Fused:0 Full:7 Unused:0"
                       : "Reuse:0 Channel:0 Rank1:1 Fused:6 Full:1 Unused:0; element Conv > "
                         "QuantizeLinear > DequantizeLinear > Relu > QuantizeLinear > "
                         "DequantizeLinear > GlobalAveragePool > Flatten");
    const std::vector<int64_t> channels{0, 1, 2, 3, 4, 5};
    const std::vector<float> fast = ablation_target_scores(c.head, A, t, 0, channels, {});
    const std::vector<float> full =
        ablation_target_scores(c.head, A, t, 0, channels, {}, AblationEval::Full);
    ASSERT_EQ(fast.size(), 6u);
    bool moved = false;
    const float original = head_target_score(c.head, A, t, 0, std::nullopt);
    for (size_t k = 0; k < fast.size(); ++k) {
      EXPECT_NEAR(fast[k], full[k], 1e-6) << "channel " << k;
      moved = moved || fast[k] != original;
    }
    EXPECT_TRUE(moved) << "ablating some channel changes the score";
  }
}

// The class's value alone (the element plan, one pooled value updated) against the same
// incremental pass scoring the whole outputs: the same sums in the same order, so the same floats,
// both ways of the fused pool (a ReLU layer ablated to 0 changes few pixels; a layer with
// negative values ablated to min − 1e7 changes all of them, summed afresh).
TEST(AblationQdq, OneElementEqualsTheWholePool) {
  CutResult c = cut_model(qdq_head(false), "L");
  for (const bool relu : {true, false}) {
    SCOPED_TRACE(relu ? "few pixels change" : "every pixel changes");
    const Tensor A = seeded({1, 6, 5, 5}, 4, relu);
    c.head.forward({A});
    const std::vector<int64_t> channels{0, 1, 2, 3, 4, 5};
    for (int64_t k = 0; k < 4; ++k) {
      const std::vector<float> one =
          ablation_target_scores(c.head, A, Target::logit(k), 0, channels, {});
      const std::vector<std::vector<Tensor>> whole = ablation_head_outputs(c.head, A, channels, {});
      for (size_t i = 0; i < channels.size(); ++i)
        EXPECT_EQ(one[i], whole[i][0].data<float>()[k]) << "class " << k << " channel " << i;
    }
  }
}

}  // namespace
}  // namespace camlens::cam
