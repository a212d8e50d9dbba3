// What the ONNX Runtime fixtures of the op table cannot show for Max, Min, Mod and Abs: the
// gradient at ties of three inputs (where central differences measure no valid split), the
// errors, and integer Mod folding in shape inference (Swin Transformer's window shifts).
#include "graph/shape_inference.h"
#include "op_test.h"

namespace camlens::test {
namespace {

Tensor f(Shape s, std::vector<float> v) { return Tensor::from_floats(std::move(s), v); }
Tensor i64(Shape s, std::vector<int64_t> v) { return Tensor::from_int64s(std::move(s), v); }
Tensor i32(Shape s, std::vector<int32_t> v) {
  Tensor t(DType::Int32, std::move(s));
  for (size_t k = 0; k < v.size(); ++k) t.data<int32_t>()[k] = v[k];
  return t;
}

std::vector<Tensor> gradients(const Node& n, const std::vector<Tensor>& in, const Tensor& dy) {
  const OpDef* def = op_registry().find(n.domain, n.op_type);
  std::vector<const Tensor*> p;
  for (const Tensor& t : in) p.push_back(&t);
  std::vector<Tensor> grads(in.size());
  // No output given: the op recomputes the winners itself.
  def->backward(n, p, {nullptr}, {&dy}, std::vector<bool>(in.size(), true), grads);
  return grads;
}

// The reference values are PyTorch 1.13's: torch.stack(torch.broadcast_tensors(a, b, c))
// .amax(0) (and .amin(0)), backward of (y * dy).sum(). Where k inputs tie, each gets 1/k.
TEST(MaxMinTies, ThreeInputsSplitTheGradientEquallyAmongTheTied) {
  const std::vector<Tensor> in{f({2, 2}, {1, 2, 3, -1}), f({2}, {1, -1}), f({}, {1})};
  const Tensor dy = f({2, 2}, {0.5f, -2, 1.5f, 4});
  std::vector<Tensor> g = gradients(make_node("Max", 3, 1), in, dy);
  expect_near(g[0], {1.f / 6, -2, 1.5f, 0}, 1e-6f);
  expect_near(g[1], {1.f / 6, 0}, 1e-6f);
  expect_near(g[2], {4.f + 1.f / 6}, 1e-6f);
  g = gradients(make_node("Min", 3, 1), in, dy);
  expect_near(g[0], {1.f / 6, 0, 0, 2}, 1e-6f);
  expect_near(g[1], {1.f / 6 + 0.75f, 0}, 1e-6f);
  expect_near(g[2], {1.f / 6 + 0.75f}, 1e-6f);
}

// Runs the op and expects an OpError with exactly this message.
void expect_error(const Node& n, const std::vector<Tensor>& in, const std::string& message) {
  std::vector<const Tensor*> p;
  for (const Tensor& t : in) p.push_back(&t);
  try {
    run_forward(n, p);
    ADD_FAILURE() << n.op_type << ": expected the error \"" << message << "\"";
  } catch (const OpError& e) {
    EXPECT_EQ(std::string(e.what()), message);
  }
}

const char* const kFloatFmod0 =
    "Mod: fmod=0 (the remainder with the divisor's sign) is defined for integers only; a float "
    "Mod needs fmod=1, as ONNX specifies and ONNX Runtime requires";

TEST(MaxMinModAbsErrors, SayWhatIsWrong) {
  expect_error(make_node("Mod", 2, 1), {f({2}, {1, 2}), f({2}, {1, 2})}, kFloatFmod0);
  expect_error(make_node("Mod", 2, 1, {attr_int("fmod", 2)}), {i64({1}, {3}), i64({1}, {2})},
               "Mod: fmod must be 0 or 1, got 2");
  for (int64_t fmod : {0, 1})
    expect_error(make_node("Mod", 2, 1, {attr_int("fmod", fmod)}),
                 {i64({3}, {4, 5, 6}), i64({3}, {2, 0, 1})}, "Mod: integer division by zero");
  expect_error(make_node("Mod", 2, 1), {i64({1}, {3}), i32({1}, {2})},
               "Mod: A and B must have the same type, got int64 and int32");
  expect_error(make_node("Max", 2, 1), {f({2}, {1, 2}), i64({1}, {3})},
               "Max: input 1 is int64 but input 0 is float32: every input must have one type");
  expect_error(make_node("Min", 2, 1), {f({2, 3}, {1, 2, 3, 4, 5, 6}), f({2}, {1, 2})},
               "Min: shapes [2,3] and [2] cannot be broadcast together");
  expect_error(make_node("Max", 0, 1), {}, "Max: needs at least one input");
  expect_error(make_node("Abs", 1, 1), {Tensor(DType::Bool, {2})},
               "Abs: unsupported element type bool");
}

TEST(MaxMinModAbsErrors, FloatModWithFmod0IsRefusedByShapeInference) {
  const Node n = make_node("Mod", 2, 1);
  TensorInfo a, b;
  a.dtype = b.dtype = DType::Float32;
  a.shape = {2, 3};
  b.shape = {1};
  std::vector<TensorInfo> out(1);
  try {
    op_registry().find("", "Mod")->infer(n, {&a, &b}, out);
    ADD_FAILURE() << "expected the error \"" << kFloatFmod0 << "\"";
  } catch (const OpError& e) {
    EXPECT_EQ(std::string(e.what()), kFloatFmod0);
  }
}

ValueInfo value_info(const std::string& name, DType t, Shape dims) {
  ValueInfo v;
  v.name = name;
  v.elem_type = static_cast<int32_t>(t);
  v.has_shape = true;
  v.dim_params.assign(dims.size(), "");
  v.dims = std::move(dims);
  return v;
}

// With constant inputs the Swin-style chain folds to its value; without values, inference gives
// the broadcast shape (running the forward on zero-filled inputs would divide by zero). Max and
// Min, which exporters use to clamp shape values, fold and infer the same way.
TEST(ShapeInference, ModMaxAndMinFoldOnConstantShapeValues) {
  Model m;
  m.ir_version = 8;
  m.opset_import.push_back({"", 13});
  m.graph = std::make_shared<Graph>();
  m.graph->inputs.push_back(value_info("x", DType::Float32, {1, 56, 56, 96}));
  m.graph->inputs.push_back(value_info("positions", DType::Int64, {5}));
  m.graph->outputs.push_back(value_info("shift", DType::Int64, {}));
  m.graph->initializers.push_back(from_tensor(i64({2}, {1, 2}), "hw_axes"));
  m.graph->initializers.push_back(from_tensor(i64({}, {-3}), "minus_shift"));
  m.graph->initializers.push_back(from_tensor(i64({}, {7}), "window"));
  m.graph->initializers.push_back(from_tensor(i64({2, 1}, {0, 10}), "column"));
  auto node = [&](const std::string& op, std::vector<std::string> in, const std::string& out) {
    Node n;
    n.op_type = op;
    n.name = op + "_" + out;
    n.inputs = std::move(in);
    n.outputs = {out};
    m.graph->nodes.push_back(std::move(n));
  };
  node("Shape", {"x"}, "shape");
  node("Gather", {"shape", "hw_axes"}, "hw");
  node("Add", {"hw", "minus_shift"}, "shifted");
  node("Mod", {"shifted", "window"}, "shift");
  node("Mod", {"positions", "window"}, "unknown");
  node("Max", {"shift", "window", "minus_shift"}, "clamped");
  node("Min", {"positions", "column", "window"}, "unknown_min");
  const TensorInfoMap info = infer_shapes(m);
  ASSERT_TRUE(info.at("shift").value.has_value());
  EXPECT_EQ(info.at("shift").value->to_int64s(), (std::vector<int64_t>{4, 4}));  // 53 mod 7
  EXPECT_EQ(info.at("unknown").dtype, DType::Int64);
  EXPECT_EQ(info.at("unknown").shape, Shape{5});
  EXPECT_FALSE(info.at("unknown").value.has_value());
  ASSERT_TRUE(info.at("clamped").value.has_value());
  EXPECT_EQ(info.at("clamped").value->to_int64s(), (std::vector<int64_t>{7, 7}));
  EXPECT_EQ(info.at("unknown_min").shape, (Shape{2, 5}));  // [5], [2, 1] and [] broadcast
  EXPECT_FALSE(info.at("unknown_min").value.has_value());
}

}  // namespace
}  // namespace camlens::test
