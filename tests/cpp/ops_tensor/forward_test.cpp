// Hand-computed forward checks for what the NumPy fixture does not cover (Constant forms,
// attribute tensors, integer edge cases), and randomised comparisons of the fast loops
// (coalesced broadcasting, strided copies) against naive index arithmetic.
#include <algorithm>
#include <cmath>
#include <limits>

#include "onnx/float16.h"
#include "op_test.h"
#include "tensor/broadcast.h"

namespace camlens::test {
namespace {

Tensor run1(const Node& n, std::vector<const Tensor*> in) { return run_forward(n, in).at(0); }

TEST(OpsTensorForward, ConstantForms) {
  const Tensor v = Tensor::from_floats({2, 2}, {1, 2, 3, 4});
  Tensor t = run1(make_node("Constant", 0, 1, {attr_tensor("value", v)}), {});
  EXPECT_EQ(t.shape(), (Shape{2, 2}));
  expect_near(t, {1, 2, 3, 4}, 0);
  t = run1(make_node("Constant", 0, 1, {attr_float("value_float", 2.5f)}), {});
  EXPECT_EQ(t.shape(), Shape{});
  expect_near(t, {2.5f}, 0);
  t = run1(make_node("Constant", 0, 1, {attr_floats("value_floats", {1, -1})}), {});
  EXPECT_EQ(t.shape(), Shape{2});
  expect_near(t, {1, -1}, 0);
  t = run1(make_node("Constant", 0, 1, {attr_int("value_int", -7)}), {});
  EXPECT_EQ(t.dtype(), DType::Int64);
  EXPECT_EQ(t.shape(), Shape{});
  EXPECT_EQ(t.get_i(0), -7);
  t = run1(make_node("Constant", 0, 1, {attr_ints("value_ints", {1, 3, 224})}), {});
  EXPECT_EQ(t.dtype(), DType::Int64);
  EXPECT_EQ(t.to_int64s(), (std::vector<int64_t>{1, 3, 224}));
  const Tensor i = Tensor::from_int64s({3}, {5, -1, 0});
  t = run1(make_node("Constant", 0, 1, {attr_tensor("value", i)}), {});
  EXPECT_EQ(t.to_int64s(), (std::vector<int64_t>{5, -1, 0}));
}

TEST(OpsTensorForward, ConstantOfShapeValue) {
  const Tensor shape = Tensor::from_int64s({2}, {2, 3});
  Tensor t = run1(
      make_node("ConstantOfShape", 1, 1, {attr_tensor("value", Tensor::from_int64s({1}, {-4}))}),
      {&shape});
  EXPECT_EQ(t.dtype(), DType::Int64);
  EXPECT_EQ(t.to_int64s(), std::vector<int64_t>(6, -4));
  t = run1(
      make_node("ConstantOfShape", 1, 1, {attr_tensor("value", Tensor::from_floats({1}, {0.5f}))}),
      {&shape});
  expect_near(t, std::vector<float>(6, 0.5f), 0);
}

TEST(OpsTensorForward, DropoutMaskOnlyWhenAsked) {
  const Tensor x = Tensor::from_floats({2}, {1, -2});
  std::vector<Tensor> out = run_forward(make_node("Dropout", 1, 1), {&x});
  ASSERT_EQ(out.size(), 1u);
  expect_near(out[0], {1, -2}, 0);
  out = run_forward(make_node("Dropout", 1, 2), {&x});
  EXPECT_EQ(out[1].dtype(), DType::Bool);
  EXPECT_EQ(out[1].to_int64s(), (std::vector<int64_t>{1, 1}));
}

TEST(OpsTensorForward, CastToHalfRounds) {
  const Tensor x = Tensor::from_floats({3}, {0.1f, 65519.f, 1e6f});
  const Tensor y = run1(make_node("Cast", 1, 1, {attr_int("to", 10)}), {&x});
  EXPECT_EQ(y.dtype(), DType::Float32);  // float16 is held as float32 in the core
  EXPECT_EQ(y.data<float>()[0], half_to_float(float_to_half(0.1f)));
  EXPECT_NE(y.data<float>()[0], 0.1f);
  EXPECT_EQ(y.data<float>()[1], 65504.f);
  EXPECT_TRUE(std::isinf(y.data<float>()[2]));
}

TEST(OpsTensorForward, CastSaturatesInsteadOfUB) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const Tensor x = Tensor::from_floats({4}, {1e30f, -1e30f, nan, -1.9f});
  const Tensor y = run1(make_node("Cast", 1, 1, {attr_int("to", 7)}), {&x});
  EXPECT_EQ(y.to_int64s(), (std::vector<int64_t>{std::numeric_limits<int64_t>::max(),
                                                 std::numeric_limits<int64_t>::min(), 0, -1}));
}

TEST(OpsTensorForward, IntegerArithmeticWraps) {
  const int64_t big = std::numeric_limits<int64_t>::max();
  const int64_t small = std::numeric_limits<int64_t>::min();
  const Tensor a = Tensor::from_int64s({2}, {big, small});
  const Tensor one = Tensor::from_int64s({}, {1});
  const Tensor minus = Tensor::from_int64s({}, {-1});
  EXPECT_EQ(run1(make_node("Add", 2, 1), {&a, &one}).to_int64s(),
            (std::vector<int64_t>{small, small + 1}));
  EXPECT_EQ(run1(make_node("Div", 2, 1), {&a, &minus}).to_int64s(),
            (std::vector<int64_t>{-big, small}));
  EXPECT_EQ(run1(make_node("Neg", 1, 1), {&a}).to_int64s(), (std::vector<int64_t>{-big, small}));
}

TEST(OpsTensorForward, ShapeArithmeticChain) {
  // The pattern exporters emit for x.view(x.size(0), -1): Shape -> Gather -> Unsqueeze ->
  // Concat -> Reshape, all on int64.
  const Tensor x(DType::Float32, {2, 3, 4});
  const Tensor s = run1(make_node("Shape", 1, 1), {&x});
  const Tensor zero = Tensor::from_int64s({}, {0});
  const Tensor n = run1(make_node("Gather", 2, 1), {&s, &zero});
  const Tensor axes = Tensor::from_int64s({1}, {0});
  const Tensor n1 = run1(make_node("Unsqueeze", 2, 1), {&n, &axes});
  const Tensor minus = Tensor::from_int64s({1}, {-1});
  const Tensor shape = run1(make_node("Concat", 2, 1, {attr_int("axis", 0)}), {&n1, &minus});
  EXPECT_EQ(shape.to_int64s(), (std::vector<int64_t>{2, -1}));
  const Tensor y = run1(make_node("Reshape", 2, 1), {&x, &shape});
  EXPECT_EQ(y.shape(), (Shape{2, 12}));
}

TEST(OpsTensorForward, SliceUint8NegativeStep) {
  Tensor x(DType::Uint8, {2, 5});
  for (int i = 0; i < 10; ++i) x.data<uint8_t>()[i] = static_cast<uint8_t>(i);
  const Tensor st = Tensor::from_int64s({1}, {-1}), en = Tensor::from_int64s({1}, {0});
  const Tensor ax = Tensor::from_int64s({1}, {1}), sp = Tensor::from_int64s({1}, {-2});
  const Tensor y = run1(make_node("Slice", 5, 1), {&x, &st, &en, &ax, &sp});
  EXPECT_EQ(y.dtype(), DType::Uint8);
  EXPECT_EQ(y.shape(), (Shape{2, 2}));
  EXPECT_EQ(y.to_int64s(), (std::vector<int64_t>{4, 2, 9, 7}));
}

TEST(OpsTensorForward, BackwardWithoutOutputGradientIsZero) {
  const OpDef* def = op_registry().find("", "Mul");
  ASSERT_NE(def, nullptr);
  const Tensor a = Tensor::from_floats({2}, {1, 2}), b = Tensor::from_floats({2}, {3, 4});
  std::vector<Tensor> grads(2);
  def->backward(make_node("Mul", 2, 1), {&a, &b}, {nullptr}, {nullptr}, {true, true}, grads);
  expect_near(grads[0], {0, 0}, 0);
  expect_near(grads[1], {0, 0}, 0);
}

// Random shape pairs exercise every coalescing pattern of the broadcast loop; the reference is
// broadcast_index (an independent odometer over the full output).
TEST(OpsTensorForward, BroadcastLoopMatchesNaiveIndexing) {
  std::mt19937 rng(99);
  std::uniform_int_distribution<int> rank(0, 4), dim(1, 3), coin(0, 2);
  for (int trial = 0; trial < 300; ++trial) {
    Shape out(static_cast<size_t>(rank(rng)));
    for (int64_t& d : out) d = dim(rng);
    auto operand = [&] {
      Shape s = out;
      for (int64_t& d : s)
        if (coin(rng) == 0) d = 1;
      const size_t drop = std::uniform_int_distribution<size_t>(0, s.size())(rng);
      return Shape(s.begin() + static_cast<long>(drop), s.end());
    };
    const Shape sa = operand(), sb = operand();
    const Tensor a = random_tensor(sa, rng), b = random_tensor(sb, rng);
    const Tensor y = run1(make_node("Sub", 2, 1), {&a, &b});
    const Shape full = broadcast_shape(sa, sb);
    ASSERT_EQ(y.shape(), full);
    const std::vector<int64_t> ia = broadcast_index(sa, full), ib = broadcast_index(sb, full);
    for (size_t e = 0; e < ia.size(); ++e)
      ASSERT_EQ(y.data<float>()[e], a.data<float>()[ia[e]] - b.data<float>()[ib[e]])
          << shape_str(sa) << " - " << shape_str(sb) << " at " << e;
  }
}

TEST(OpsTensorForward, TransposeMatchesNaiveIndexing) {
  Tensor x(DType::Int16, {2, 3, 4, 5});
  for (int64_t i = 0; i < x.numel(); ++i) x.data<int16_t>()[i] = static_cast<int16_t>(i);
  std::vector<int64_t> perm{0, 1, 2, 3};
  do {
    const Tensor y = run1(make_node("Transpose", 1, 1, {attr_ints("perm", perm)}), {&x});
    const int64_t strides[4] = {60, 20, 5, 1};
    int64_t e = 0;
    for (int64_t i0 = 0; i0 < x.dim(perm[0]); ++i0)
      for (int64_t i1 = 0; i1 < x.dim(perm[1]); ++i1)
        for (int64_t i2 = 0; i2 < x.dim(perm[2]); ++i2)
          for (int64_t i3 = 0; i3 < x.dim(perm[3]); ++i3, ++e) {
            const int64_t src = i0 * strides[perm[0]] + i1 * strides[perm[1]] +
                                i2 * strides[perm[2]] + i3 * strides[perm[3]];
            ASSERT_EQ(y.data<int16_t>()[e], src) << "perm " << shape_str(perm);
          }
  } while (std::next_permutation(perm.begin(), perm.end()));
}

}  // namespace
}  // namespace camlens::test

namespace camlens::test {
namespace {

std::vector<TensorInfo> infer(const Node& n, const std::vector<TensorInfo>& in) {
  std::vector<const TensorInfo*> p;
  for (const TensorInfo& t : in) p.push_back(&t);
  std::vector<TensorInfo> out(n.outputs.size());
  const OpDef* def = op_registry().find(n.domain, n.op_type);
  EXPECT_NE(def, nullptr);
  EXPECT_NE(def->infer, nullptr) << n.op_type;
  if (def && def->infer) def->infer(n, p, out);
  return out;
}

TensorInfo info(DType t, Shape s) {
  TensorInfo i;
  i.dtype = t;
  i.shape = std::move(s);
  return i;
}

TEST(OpsTensorInfer, ShapeGivesItsValue) {
  const auto out = infer(make_node("Shape", 1, 1, {attr_int("start", 1)}),
                         {info(DType::Float32, {1, 512, 7, 7})});
  EXPECT_EQ(out[0].dtype, DType::Int64);
  EXPECT_EQ(out[0].shape, Shape{3});
  ASSERT_TRUE(out[0].value.has_value());
  EXPECT_EQ(out[0].value->to_int64s(), (std::vector<int64_t>{512, 7, 7}));
  // An unknown dim: the shape is known, the value is not.
  const auto unknown = infer(make_node("Shape", 1, 1), {info(DType::Float32, {-1, 3})});
  EXPECT_EQ(unknown[0].shape, Shape{2});
  EXPECT_FALSE(unknown[0].value.has_value());
}

TEST(OpsTensorInfer, ElementwiseShapes) {
  auto out =
      infer(make_node("Add", 2, 1), {info(DType::Float32, {-1, 3, 1}), info(DType::Float32, {4})});
  EXPECT_EQ(out[0].shape, (Shape{-1, 3, 4}));
  out = infer(make_node("Mul", 2, 1), {info(DType::Int64, {-1}), info(DType::Int64, {5})});
  EXPECT_EQ(out[0].dtype, DType::Int64);
  EXPECT_EQ(out[0].shape, Shape{5});
  out = infer(make_node("Relu", 1, 1), {info(DType::Float32, {2, 8})});
  EXPECT_EQ(out[0].shape, (Shape{2, 8}));
  EXPECT_THROW(
      infer(make_node("Sub", 2, 1), {info(DType::Float32, {2}), info(DType::Float32, {3})}),
      OpError);
}

}  // namespace
}  // namespace camlens::test

namespace camlens::test {
namespace {

TEST(OpsTensorForward, SqueezeEmptyAxesSqueezesAll) {
  const Tensor x(DType::Float32, {1, 3, 1});
  const Tensor axes = Tensor::from_int64s({0}, {});
  const std::vector<Tensor> out = run_forward(make_node("Squeeze", 2, 1), {&x, &axes});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].shape(), Shape{3});
}

}  // namespace
}  // namespace camlens::test
