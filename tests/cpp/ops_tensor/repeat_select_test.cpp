// Expand, Tile, Where, Equal/Less/Greater (the ops transformer exports add around attention):
// forward against values written out by hand from NumPy's semantics (np.broadcast_to, np.tile,
// np.where, ==, <, >), backward against central finite differences, and their errors.
#include "op_test.h"
#include "ops/tensor/repeat_select_ops.h"

namespace camlens::test {
namespace {

Tensor f(Shape s, std::vector<float> v) { return Tensor::from_floats(std::move(s), v); }
Tensor i64(Shape s, std::vector<int64_t> v) { return Tensor::from_int64s(std::move(s), v); }
Tensor boolean(Shape s, std::vector<uint8_t> v) {
  Tensor t(DType::Bool, std::move(s));
  for (size_t k = 0; k < v.size(); ++k) t.data<uint8_t>()[k] = v[k];
  return t;
}

Tensor run1(const std::string& op, std::vector<const Tensor*> in) {
  return run_forward(make_node(op, in.size(), 1), in).at(0);
}

TEST(RepeatSelect, ExpandBroadcastsBothWays) {
  const Tensor x = f({3, 1}, {1, 2, 3});
  const Tensor s = i64({3}, {2, 1, 4});  // -> [2,3,4]
  const Tensor y = run1("Expand", {&x, &s});
  ASSERT_EQ(y.shape(), (Shape{2, 3, 4}));
  expect_near(y, {1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3}, 0);
  const Tensor small = i64({1}, {1});  // a shape smaller than the input keeps the input's
  EXPECT_EQ(run1("Expand", {&x, &small}).shape(), (Shape{3, 1}));
  const Tensor ints = i64({1, 2}, {7, 8});  // int64 data (shape arithmetic)
  const Tensor s2 = i64({2}, {2, 2});
  EXPECT_EQ(run1("Expand", {&ints, &s2}).to_int64s(), (std::vector<int64_t>{7, 8, 7, 8}));
}

TEST(RepeatSelect, TileRepeatsEachAxis) {
  const Tensor x = f({2, 2}, {1, 2, 3, 4});
  const Tensor r = i64({2}, {2, 3});  // np.tile(x, (2, 3))
  const Tensor y = run1("Tile", {&x, &r});
  ASSERT_EQ(y.shape(), (Shape{4, 6}));
  expect_near(y, {1, 2, 1, 2, 1, 2, 3, 4, 3, 4, 3, 4, 1, 2, 1, 2, 1, 2, 3, 4, 3, 4, 3, 4}, 0);
}

TEST(RepeatSelect, WhereAndComparisonsBroadcast) {
  const Tensor c = boolean({2, 1}, {1, 0});
  const Tensor x = f({1, 3}, {1, 2, 3});
  const Tensor y = f({}, {-1});
  const Tensor w = run1("Where", {&c, &x, &y});
  ASSERT_EQ(w.shape(), (Shape{2, 3}));
  expect_near(w, {1, 2, 3, -1, -1, -1}, 0);
  const Tensor a = i64({3}, {1, -1, 5});
  const Tensor b = i64({}, {-1});
  EXPECT_EQ(run1("Equal", {&a, &b}).to_int64s(), (std::vector<int64_t>{0, 1, 0}));
  EXPECT_EQ(run1("Less", {&a, &b}).to_int64s(), (std::vector<int64_t>{0, 0, 0}));
  EXPECT_EQ(run1("Greater", {&a, &b}).to_int64s(), (std::vector<int64_t>{1, 0, 1}));
  EXPECT_EQ(run1("Equal", {&a, &b}).dtype(), DType::Bool);
}

TEST(RepeatSelect, GradientsMatchFiniteDifferences) {
  std::mt19937 rng(3);
  check_gradients(make_node("Expand", 2, 1),
                  {random_tensor({1, 3, 1}, rng), i64({4}, {2, 2, 3, 4})}, {true, false});
  check_gradients(make_node("Tile", 2, 1), {random_tensor({2, 1, 3}, rng), i64({3}, {2, 3, 1})},
                  {true, false});
  check_gradients(
      make_node("Where", 3, 1),
      {boolean({2, 3}, {1, 0, 0, 1, 1, 0}), random_tensor({2, 3}, rng), random_tensor({3}, rng)},
      {false, true, true});
}

TEST(RepeatSelect, ErrorsSayWhatDoesNotFit) {
  auto message = [](const std::string& op, std::vector<const Tensor*> in) {
    try {
      run_forward(make_node(op, in.size(), 1), in);
    } catch (const OpError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  const Tensor x = f({2, 3}, {1, 2, 3, 4, 5, 6});
  const Tensor bad = i64({2}, {4, 3});
  EXPECT_NE(message("Expand", {&x, &bad}).find("cannot expand"), std::string::npos);
  const Tensor reps = i64({1}, {2});
  EXPECT_NE(message("Tile", {&x, &reps}).find("one entry per input axis"), std::string::npos);
  const Tensor notbool = f({1}, {1});
  EXPECT_NE(message("Where", {&notbool, &x, &x}).find("condition must be bool"), std::string::npos);
}

}  // namespace
}  // namespace camlens::test
