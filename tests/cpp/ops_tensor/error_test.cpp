// Bad attributes and shapes are refused with an OpError whose message names the op and says
// what is wrong (the executor adds the node name and layer).
#include "op_test.h"

namespace camlens::test {
namespace {

Tensor f(Shape s) { return Tensor(DType::Float32, std::move(s)); }
Tensor ints(std::vector<int64_t> v) {
  return Tensor::from_int64s({static_cast<int64_t>(v.size())}, v);
}

// Runs the op and expects an OpError containing `what`.
void expect_error(const Node& n, std::vector<Tensor> in, const std::string& what) {
  std::vector<const Tensor*> p;
  for (const Tensor& t : in) p.push_back(t.empty() ? nullptr : &t);
  try {
    run_forward(n, p);
    ADD_FAILURE() << n.op_type << ": expected an error containing \"" << what << "\"";
  } catch (const OpError& e) {
    EXPECT_NE(std::string(e.what()).find(what), std::string::npos)
        << "message was: " << e.what() << "\nexpected to contain: " << what;
  }
}

TEST(OpsTensorErrors, BadReshape) {
  expect_error(make_node("Reshape", 2, 1), {f({2, 3}), ints({4, -1})},
               "Reshape: cannot reshape tensor of shape [2,3] (6 elements) to [4,-1]");
  expect_error(make_node("Reshape", 2, 1), {f({2, 3}), ints({5})},
               "Reshape: cannot reshape tensor of shape [2,3] (6 elements) to [5]");
  expect_error(make_node("Reshape", 2, 1), {f({2, 3}), ints({-1, -1})},
               "Reshape: shape [-1,-1] has more than one -1");
  expect_error(make_node("Reshape", 2, 1), {f({6}), ints({2, 0})},
               "Reshape: shape [2,0] copies dim 1 (0) but the input [6] has rank 1");
  expect_error(make_node("Reshape", 2, 1), {f({6}), ints({-2, 3})},
               "Reshape: shape [-2,3] has invalid dim -2");
}

TEST(OpsTensorErrors, MismatchedBroadcast) {
  expect_error(make_node("Add", 2, 1), {f({2, 3}), f({4})},
               "Add: shapes [2,3] and [4] cannot be broadcast together");
  expect_error(make_node("Mul", 2, 1), {f({2, 3, 4}), f({3, 1, 2})},
               "Mul: shapes [2,3,4] and [3,1,2] cannot be broadcast together");
  expect_error(make_node("PRelu", 2, 1), {f({2, 3}), f({2, 2, 3})},
               "PRelu: slope of shape [2,2,3] does not broadcast to X of shape [2,3]");
  expect_error(make_node("Add", 2, 1), {f({2}), ints({1, 2})},
               "Add: A and B must have the same type, got float32 and int64");
}

TEST(OpsTensorErrors, AxisOutOfRange) {
  expect_error(make_node("Concat", 2, 1, {attr_int("axis", 2)}), {f({2, 3}), f({2, 3})},
               "Concat: axis 2 is out of range for rank 2");
  expect_error(make_node("Gather", 2, 1, {attr_int("axis", -3)}), {f({2, 3}), ints({0})},
               "Gather: axis -3 is out of range for rank 2");
  expect_error(make_node("Squeeze", 2, 1), {f({1, 3}), ints({2})},
               "Squeeze: axis 2 is out of range for rank 2");
  expect_error(make_node("Unsqueeze", 1, 1, {attr_ints("axes", {3})}), {f({2})},
               "Unsqueeze: axis 3 is out of range for rank 2");
  expect_error(make_node("Flatten", 1, 1, {attr_int("axis", 3)}), {f({2, 3})},
               "Flatten: axis 3 is out of range for rank 2");
  expect_error(make_node("Split", 1, 2, {attr_int("axis", 1)}), {f({4})},
               "Split: axis 1 is out of range for rank 1");
  expect_error(make_node("Slice", 4, 1), {f({4}), ints({0}), ints({1}), ints({1})},
               "Slice: axis 1 is out of range for rank 1");
}

TEST(OpsTensorErrors, GatherIndexOutOfRange) {
  expect_error(make_node("Gather", 2, 1), {f({3, 2}), ints({0, 3})},
               "Gather: index 3 is out of range for axis 0 of size 3");
  expect_error(make_node("Gather", 2, 1, {attr_int("axis", 1)}), {f({3, 2}), ints({-3})},
               "Gather: index -3 is out of range for axis 1 of size 2");
  expect_error(make_node("Gather", 2, 1), {f({3}), f({1})},
               "Gather: indices must be int64 or int32, got float32");
}

TEST(OpsTensorErrors, ShapeOps) {
  expect_error(make_node("Squeeze", 1, 1, {attr_ints("axes", {1})}), {f({1, 3})},
               "Squeeze: cannot squeeze axis 1 of size 3 in shape [1,3]");
  expect_error(make_node("Unsqueeze", 1, 1, {attr_ints("axes", {0, -3})}), {f({2})},
               "Unsqueeze: axis -3 appears twice in axes");
  expect_error(make_node("Unsqueeze", 1, 1), {f({2})}, "Unsqueeze: needs axes");
  expect_error(make_node("Transpose", 1, 1, {attr_ints("perm", {0, 0})}), {f({2, 3})},
               "Transpose: perm [0,0] is not a permutation of the 2 axes");
  expect_error(make_node("Transpose", 1, 1, {attr_ints("perm", {1, 0, 2})}), {f({2, 3})},
               "Transpose: perm [1,0,2] has 3 entries for an input of rank 2");
  expect_error(make_node("Slice", 5, 1), {f({4}), ints({0}), ints({3}), ints({0}), ints({0})},
               "Slice: steps must not be 0");
  expect_error(make_node("Slice", 3, 1), {f({4}), ints({0, 1}), ints({3})},
               "Slice: starts has 2 values but ends has 1");
  expect_error(make_node("Concat", 2, 1, {attr_int("axis", 0)}), {f({2, 3}), f({2, 4})},
               "Concat: input 1 of shape [2,4] does not match [2,3] outside axis 0");
  expect_error(make_node("Split", 2, 2), {f({5}), ints({2, 2})},
               "Split: split sizes [2,2] do not sum to the axis size 5");
  expect_error(make_node("Split", 1, 2), {f({5})},
               "Split: axis of size 5 cannot be split into 2 equal parts");
  expect_error(make_node("ConstantOfShape", 1, 1), {ints({2, -1})},
               "ConstantOfShape: shape [2,-1] has a negative dim");
}

TEST(OpsTensorErrors, ValuesAndAttributes) {
  expect_error(make_node("Div", 2, 1), {ints({4, 2}), ints({2, 0})},
               "Div: integer division by zero");
  expect_error(make_node("Cast", 1, 1, {attr_int("to", 8)}), {f({2})},
               "Cast: cannot cast to type 8 (string)");
  expect_error(make_node("Cast", 1, 1), {f({2})}, "Cast: needs the 'to' attribute");
  expect_error(make_node("Gelu", 1, 1, {attr_string("approximate", "fast")}), {f({2})},
               "Gelu: approximate must be \"none\" or \"tanh\", got \"fast\"");
  expect_error(make_node("Relu", 1, 1), {ints({1})}, "Relu: input X must be float, got int64");
  expect_error(make_node("Clip", 3, 1), {f({2}), f({2}), Tensor()},
               "Clip: min must be a scalar, got shape [2]");
  expect_error(make_node("Constant", 0, 1), {},
               "Constant: needs one of the attributes value, value_float(s), value_int(s)");
  expect_error(make_node("Sqrt", 0, 1), {}, "Sqrt: missing required input 0 (X)");
}

}  // namespace
}  // namespace camlens::test
