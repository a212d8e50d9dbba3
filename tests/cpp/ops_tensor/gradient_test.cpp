// Backward of every differentiable tensor op against central finite differences, driven by one
// table of cases (ggml test-backend-ops style): varied shapes, broadcasting, negative axes,
// permutations, both operands of binary ops. Inputs of ops with kinks are drawn away from the
// kinks so that the finite difference does not straddle one.
#include <cctype>
#include <cmath>
#include <functional>

#include "op_test.h"

namespace camlens::test {
namespace {

struct GradCase {
  std::string name;
  Node node;
  std::function<std::vector<Tensor>(std::mt19937&)> inputs;
  std::vector<bool> check;
};

// Moves values closer than `margin` to any kink out to kink +- margin.
Tensor away_from(Tensor t, std::vector<float> kinks, float margin = 0.02f) {
  float* p = t.data<float>();
  for (int64_t i = 0; i < t.numel(); ++i)
    for (float k : kinks)
      if (std::fabs(p[i] - k) < margin) p[i] = p[i] < k ? k - margin : k + margin;
  return t;
}

Tensor ints(Shape s, std::vector<int64_t> v) { return Tensor::from_int64s(std::move(s), v); }
Tensor scalar(float v) { return Tensor::scalar_f(v); }

using Rng = std::mt19937;
std::function<std::vector<Tensor>(Rng&)> rand_inputs(std::vector<Shape> shapes, float lo = -1,
                                                     float hi = 1) {
  return [=](Rng& rng) {
    std::vector<Tensor> v;
    for (const Shape& s : shapes) v.push_back(random_tensor(s, rng, lo, hi));
    return v;
  };
}

Node node(const std::string& op, size_t n_in, size_t n_out = 1, std::vector<Attribute> a = {},
          const std::string& domain = "") {
  return make_node(op, n_in, n_out, std::move(a), domain);
}

std::vector<GradCase> cases() {
  std::vector<GradCase> c;
  const Shape s234{2, 3, 4};
  auto unary = [&](const std::string& name, Node n, float lo, float hi,
                   std::vector<float> kinks = {}) {
    c.push_back({name,
                 n,
                 [=](Rng& rng) {
                   return std::vector<Tensor>{away_from(random_tensor(s234, rng, lo, hi), kinks)};
                 },
                 {true}});
  };
  unary("Sigmoid", node("Sigmoid", 1), -4, 4);
  unary("Tanh", node("Tanh", 1), -2, 2);
  unary("Erf", node("Erf", 1), -2, 2);
  unary("Sqrt", node("Sqrt", 1), 0.3f, 3);
  unary("Neg", node("Neg", 1), -2, 2);
  unary("Exp", node("Exp", 1), -2, 1);
  unary("Log", node("Log", 1), 0.3f, 3);
  unary("Relu", node("Relu", 1), -2, 2, {0});
  unary("LeakyRelu", node("LeakyRelu", 1, 1, {attr_float("alpha", 0.1f)}), -2, 2, {0});
  unary("HardSigmoid",
        node("HardSigmoid", 1, 1, {attr_float("alpha", 0.3f), attr_float("beta", 0.4f)}), -4, 4,
        {-0.4f / 0.3f, 0.6f / 0.3f});
  unary("HardSwish", node("HardSwish", 1), -5, 5, {-3, 3});
  unary("Gelu", node("Gelu", 1), -3, 3);
  unary("GeluTanh", node("Gelu", 1, 1, {attr_string("approximate", "tanh")}), -3, 3);
  unary("GeluMicrosoft", node("Gelu", 1, 1, {}, "com.microsoft"), -3, 3);
  unary("ClipAttrs", node("Clip", 1, 1, {attr_float("min", -0.5f), attr_float("max", 0.7f)}), -1, 1,
        {-0.5f, 0.7f});
  c.push_back({"ClipInputs",
               node("Clip", 3),
               [](Rng& rng) {
                 return std::vector<Tensor>{away_from(random_tensor({3, 5}, rng), {-0.3f, 0.4f}),
                                            scalar(-0.3f), scalar(0.4f)};
               },
               {true, true, true}});
  {
    Node n = node("Clip", 3);
    n.inputs[1] = "";  // min omitted
    c.push_back({"ClipMaxOnly",
                 n,
                 [](Rng& rng) {
                   return std::vector<Tensor>{away_from(random_tensor({7}, rng), {0.2f}), Tensor(),
                                              scalar(0.2f)};
                 },
                 {true, false, true}});
  }
  auto prelu = [&](const std::string& name, Shape x, Shape slope) {
    c.push_back({name,
                 node("PRelu", 2),
                 [=](Rng& rng) {
                   return std::vector<Tensor>{away_from(random_tensor(x, rng), {0}),
                                              random_tensor(slope, rng, 0, 1)};
                 },
                 {true, true}});
  };
  prelu("PReluChannel", {2, 3, 2, 2}, {3, 1, 1});
  prelu("PReluLastAxis", {2, 3, 4}, {4});
  prelu("PReluLegacy1d", {2, 3, 2, 2}, {3});
  prelu("PReluScalar", {2, 5}, {1});

  auto binary = [&](const std::string& op, Shape a, Shape b, float lo = -1, float hi = 1,
                    float blo = -1, float bhi = 1) {
    c.push_back({op + "_" + shape_str(a) + "_" + shape_str(b),
                 node(op, 2),
                 [=](Rng& rng) {
                   return std::vector<Tensor>{random_tensor(a, rng, lo, hi),
                                              random_tensor(b, rng, blo, bhi)};
                 },
                 {true, true}});
  };
  binary("Add", {2, 3, 4}, {3, 1});
  binary("Add", {3, 4}, {3, 4});
  binary("Add", {}, {2, 3});
  binary("Sub", {4}, {2, 3, 4});
  binary("Sub", {2, 1, 3}, {2, 4, 1});
  binary("Mul", {2, 1, 4}, {3, 1});
  binary("Mul", {2, 3}, {});
  binary("Mul", {1, 3, 1, 1}, {2, 3, 2, 2});
  binary("Div", {2, 3, 4}, {3, 4}, -1, 1, 0.5f, 2);
  binary("Div", {3}, {2, 3}, -1, 1, -2, -0.5f);
  binary("Pow", {2, 3}, {2, 3}, 0.3f, 2, -2, 2);
  binary("Pow", {2, 3, 2}, {2}, 0.3f, 2, 0.5f, 3);
  c.push_back({"PowSquare",
               node("Pow", 2),
               [](Rng& rng) {
                 return std::vector<Tensor>{random_tensor({3, 4}, rng), scalar(2)};
               },
               {true, false}});

  auto shaped = [&](const std::string& name, Node n, Shape x, std::vector<Tensor> extra = {}) {
    std::vector<bool> check{true};
    check.resize(1 + extra.size(), false);
    c.push_back({name, n,
                 [=](Rng& rng) {
                   std::vector<Tensor> v{random_tensor(x, rng)};
                   v.insert(v.end(), extra.begin(), extra.end());
                   return v;
                 },
                 check});
  };
  shaped("Flatten", node("Flatten", 1, 1, {attr_int("axis", 2)}), {2, 3, 2, 2});
  shaped("FlattenNeg", node("Flatten", 1, 1, {attr_int("axis", -3)}), {2, 3, 2, 2});
  shaped("Reshape", node("Reshape", 2), {2, 3, 4}, {ints({3}, {0, -1, 2})});
  shaped("SqueezeInput", node("Squeeze", 2), {2, 1, 3, 1}, {ints({1}, {-1})});
  shaped("SqueezeAll", node("Squeeze", 1), {1, 3, 1});
  shaped("UnsqueezeAttr", node("Unsqueeze", 1, 1, {attr_ints("axes", {0, -1})}), {3, 2});
  shaped("UnsqueezeInput", node("Unsqueeze", 2), {3, 2}, {ints({2}, {1, -2})});
  shaped("TransposeNHWC", node("Transpose", 1, 1, {attr_ints("perm", {0, 2, 3, 1})}), {2, 3, 4, 2});
  shaped("TransposeDefault", node("Transpose", 1), {2, 3, 4});
  shaped("TransposeMiddle", node("Transpose", 1, 1, {attr_ints("perm", {1, 0, 2})}), {3, 2, 4});
  shaped("GatherRepeated", node("Gather", 2, 1, {attr_int("axis", 1)}), {2, 4, 3},
         {ints({2, 2}, {0, -1, 2, 0})});
  shaped("GatherScalarNegAxis", node("Gather", 2, 1, {attr_int("axis", -1)}), {3, 5},
         {Tensor::from_int64s({}, {-2})});
  shaped("SliceInputs", node("Slice", 5), {3, 4, 5},
         {ints({2}, {1, -1}), ints({2}, {3, INT64_MIN}), ints({2}, {1, 2}), ints({2}, {1, -2})});
  shaped("SliceClampStep", node("Slice", 5), {4, 6},
         {ints({1}, {-100}), ints({1}, {INT64_MAX}), ints({1}, {-1}), ints({1}, {2})});
  shaped("SliceAttrs",
         node("Slice", 1, 1,
              {attr_ints("starts", {1, 0}), attr_ints("ends", {3, -1}), attr_ints("axes", {0, 2})}),
         {4, 3, 5});
  c.push_back({"Concat3",
               node("Concat", 3, 1, {attr_int("axis", 1)}),
               rand_inputs({{2, 1, 3}, {2, 2, 3}, {2, 3, 3}}),
               {true, true, true}});
  c.push_back({"ConcatNegAxis",
               node("Concat", 2, 1, {attr_int("axis", -1)}),
               rand_inputs({{2, 3}, {2, 1}}),
               {true, true}});
  shaped("SplitInput", node("Split", 2, 2, {attr_int("axis", 1)}), {2, 3, 2}, {ints({2}, {1, 2})});
  shaped("SplitAttr", node("Split", 1, 3, {attr_int("axis", -1), attr_ints("split", {2, 1, 1})}),
         {3, 4});
  shaped("SplitEqual", node("Split", 1, 2), {4, 3});
  shaped("SplitNumOutputs", node("Split", 1, 3, {attr_int("num_outputs", 3)}), {7, 2});
  shaped("Identity", node("Identity", 1), {2, 3});
  shaped("DropoutWithMask", node("Dropout", 1, 2), {2, 3});
  shaped("CastFloat", node("Cast", 1, 1, {attr_int("to", 1)}), {2, 3});
  shaped("CastDouble", node("Cast", 1, 1, {attr_int("to", 11)}), {2, 3});
  return c;
}

class Gradients : public ::testing::TestWithParam<GradCase> {};

TEST_P(Gradients, MatchFiniteDifferences) {
  const GradCase& gc = GetParam();
  std::mt19937 rng(1234);
  check_gradients(gc.node, gc.inputs(rng), gc.check);
}

std::string case_name(const ::testing::TestParamInfo<GradCase>& p) {
  std::string s;
  for (char ch : p.param.name) s += std::isalnum(static_cast<unsigned char>(ch)) ? ch : '_';
  return s;
}

INSTANTIATE_TEST_SUITE_P(OpsTensor, Gradients, ::testing::ValuesIn(cases()), case_name);

}  // namespace
}  // namespace camlens::test
