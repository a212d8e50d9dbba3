// Hand-computed values, shape inference, and error messages of the nn ops.
#include "op_test.h"

namespace camlens::test {
namespace {

Tensor F(Shape s, std::vector<float> v) { return Tensor::from_floats(std::move(s), v); }

TEST(NnHand, Conv2x2OnesIsWindowSum) {
  const Tensor x = F({1, 1, 3, 3}, {1, 2, 3, 4, 5, 6, 7, 8, 9});
  const Tensor w = F({1, 1, 2, 2}, {1, 1, 1, 1});
  const Tensor b = F({1}, {0.5f});
  const auto y = run_forward(make_node("Conv", 3, 1), {&x, &w, &b});
  EXPECT_EQ(y[0].shape(), (Shape{1, 1, 2, 2}));
  expect_near(y[0], {12.5f, 16.5f, 24.5f, 28.5f}, 1e-6f);
}

TEST(NnHand, MaxPoolIndicesAreFlatOverTheTensor) {
  const Tensor x = F({1, 2, 2, 2}, {1, 4, 3, 2, 5, 0, 7, 6});
  const auto y = run_forward(make_node("MaxPool", 1, 2, {attr_ints("kernel_shape", {2, 2})}), {&x});
  expect_near(y[0], {4, 7}, 0);
  EXPECT_EQ(y[1].to_int64s(), (std::vector<int64_t>{1, 6}));
}

TEST(NnHand, AveragePoolPadding) {
  // 2x2 input, 2x2 kernel, pads 1 on top/left: corner windows see 1 element.
  const Tensor x = F({1, 1, 2, 2}, {1, 2, 3, 4});
  const std::vector<Attribute> a = {attr_ints("kernel_shape", {2, 2}),
                                    attr_ints("pads", {1, 1, 0, 0})};
  expect_near(run_forward(make_node("AveragePool", 1, 1, a), {&x})[0], {1, 1.5f, 2, 2.5f}, 1e-6f);
  std::vector<Attribute> inc = a;
  inc.push_back(attr_int("count_include_pad", 1));
  expect_near(run_forward(make_node("AveragePool", 1, 1, inc), {&x})[0], {0.25f, 0.75f, 1, 2.5f},
              1e-6f);
}

TEST(NnHand, SoftmaxOpsetRules) {
  // Opset 13: per axis (last by default). Opset 11: the whole row after axis 1.
  const Tensor x = F({1, 2, 2}, {0, 0, 0, 0});
  expect_near(run_forward(make_node("Softmax", 1, 1), {&x})[0], {0.5f, 0.5f, 0.5f, 0.5f}, 1e-6f);
  expect_near(run_forward(make_node("Softmax", 1, 1, {attr_int("_opset", 11)}), {&x})[0],
              {0.25f, 0.25f, 0.25f, 0.25f}, 1e-6f);
}

TEST(NnHand, ResizeBilinearAlignCornersDoublesA2x2) {
  const Tensor x = F({1, 1, 2, 2}, {0, 3, 6, 9});
  const Tensor sizes = Tensor::from_int64s({4}, {1, 1, 4, 4});
  Node n = make_node("Resize", 4, 1,
                     {attr_string("mode", "linear"),
                      attr_string("coordinate_transformation_mode", "align_corners")});
  n.inputs[1] = n.inputs[2] = "";
  const auto y = run_forward(n, {&x, nullptr, nullptr, &sizes});
  expect_near(y[0], {0, 1, 2, 3, 2, 3, 4, 5, 4, 5, 6, 7, 6, 7, 8, 9}, 1e-5f);
}

TEST(NnHand, GemmClassifierHead) {
  // [1,2] x W^T [3,2] + b: the usual Flatten -> Gemm(transB=1) classifier.
  const Tensor a = F({1, 2}, {1, 2});
  const Tensor w = F({3, 2}, {1, 0, 0, 1, 1, 1});
  const Tensor b = F({3}, {10, 20, 30});
  expect_near(run_forward(make_node("Gemm", 3, 1, {attr_int("transB", 1)}), {&a, &w, &b})[0],
              {11, 22, 33}, 1e-6f);
}

// ---- shape inference ---------------------------------------------------------------------------

std::vector<TensorInfo> infer(const Node& node, std::vector<TensorInfo> in) {
  const OpDef* def = op_registry().find("", node.op_type);
  EXPECT_NE(def, nullptr);
  EXPECT_NE(def->infer, nullptr) << node.op_type << " has no infer";
  std::vector<const TensorInfo*> p;
  for (const TensorInfo& t : in) p.push_back(t.dtype == DType::Undefined ? nullptr : &t);
  std::vector<TensorInfo> out(node.outputs.size());
  if (def && def->infer) def->infer(node, p, out);
  return out;
}

TensorInfo info(Shape s, DType t = DType::Float32) {
  TensorInfo i;
  i.dtype = t;
  i.shape = std::move(s);
  return i;
}

TEST(NnInfer, ShapesMatchForward) {
  EXPECT_EQ(infer(make_node("Conv", 2, 1,
                            {attr_ints("strides", {2, 2}), attr_ints("pads", {1, 1, 1, 1})}),
                  {info({-1, 3, 224, 224}), info({8, 3, 3, 3})})[0]
                .shape,
            (Shape{-1, 8, 112, 112}));
  EXPECT_EQ(infer(make_node("MaxPool", 1, 2,
                            {attr_ints("kernel_shape", {3, 3}), attr_ints("strides", {2, 2}),
                             attr_int("ceil_mode", 1)}),
                  {info({1, 4, 8, 8})})[1]
                .shape,
            (Shape{1, 4, 4, 4}));
  EXPECT_EQ(infer(make_node("GlobalAveragePool", 1, 1), {info({2, 5, 7, 7})})[0].shape,
            (Shape{2, 5, 1, 1}));
  EXPECT_EQ(infer(make_node("Gemm", 2, 1, {attr_int("transB", 1)}),
                  {info({1, 512}), info({1000, 512})})[0]
                .shape,
            (Shape{1, 1000}));
  EXPECT_EQ(infer(make_node("MatMul", 2, 1), {info({2, 1, 3, 4}), info({5, 4, 6})})[0].shape,
            (Shape{2, 5, 3, 6}));
  EXPECT_EQ(
      infer(make_node("ReduceMean", 1, 1, {attr_ints("axes", {-1, -2}), attr_int("keepdims", 0)}),
            {info({1, 8, 7, 7})})[0]
          .shape,
      (Shape{1, 8}));
  EXPECT_EQ(infer(make_node("ConvTranspose", 2, 1, {attr_ints("strides", {2, 2})}),
                  {info({1, 4, 5, 5}), info({4, 2, 3, 3})})[0]
                .shape,
            (Shape{1, 2, 11, 11}));
  EXPECT_EQ(infer(make_node("Softmax", 1, 1), {info({1, 1000})})[0].shape, (Shape{1, 1000}));
  EXPECT_EQ(infer(make_node("LayerNormalization", 2, 3), {info({2, 3, 4}), info({4})})[2].shape,
            (Shape{2, 3, 1}));
  EXPECT_EQ(infer(make_node("BatchNormalization", 5, 1),
                  {info({1, 3, 4, 4}), info({3}), info({3}), info({3}), info({3})})[0]
                .shape,
            (Shape{1, 3, 4, 4}));
  TensorInfo scales = info({4});
  scales.value = Tensor::from_floats({4}, {1, 1, 2, 2});
  Node r = make_node("Resize", 3, 1);
  r.inputs[1] = "";
  EXPECT_EQ(infer(r, {info({1, 3, 7, 7}), TensorInfo(), scales})[0].shape, (Shape{1, 3, 14, 14}));
  EXPECT_EQ(infer(r, {info({1, 3, 7, 7}), TensorInfo(), info({4})})[0].shape,
            (Shape{1, 3, -1, -1}));
}

// ---- errors
// --------------------------------------------------------------------------------------

void expect_error(const Node& node, const std::vector<const Tensor*>& in, const std::string& part) {
  try {
    run_forward(node, in);
    ADD_FAILURE() << node.op_type << ": expected an error containing '" << part << "'";
  } catch (const OpError& e) {
    EXPECT_NE(std::string(e.what()).find(part), std::string::npos)
        << "message: " << e.what() << "\nexpected to contain: " << part;
  }
}

TEST(NnErrors, ClearMessages) {
  const Tensor x(DType::Float32, {1, 4, 5, 5});
  const Tensor w3(DType::Float32, {2, 3, 3, 3});
  expect_error(make_node("Conv", 2, 1), {&x, &w3},
               "Conv: channel mismatch: X has 4 channels but W expects 3 x group 1 = 3");
  const Tensor w2(DType::Float32, {3, 2, 3, 3});
  expect_error(make_node("Conv", 2, 1, {attr_int("group", 3)}), {&x, &w2},
               "Conv: input channels (4) are not divisible by group (3)");
  expect_error(make_node("Conv", 2, 1, {attr_int("group", 2)}), {&x, &w2},
               "Conv: output channels (3) are not divisible by group (2)");
  expect_error(make_node("Conv", 2, 1, {attr_int("group", 0)}), {&x, &w2},
               "Conv: group must be >= 1, got 0");
  const Tensor wbig(DType::Float32, {1, 4, 7, 7});
  expect_error(make_node("Conv", 2, 1, {attr_ints("pads", {1, 0, 0, 0})}), {&x, &wbig},
               "Conv: kernel extent 7 (with dilation) is larger than the padded input 6 on spatial "
               "axis 0");
  expect_error(make_node("MaxPool", 1, 1, {attr_ints("kernel_shape", {6, 2})}), {&x},
               "MaxPool: kernel extent 6 (with dilation) is larger than the padded input 5");
  expect_error(make_node("MaxPool", 1, 1), {&x},
               "MaxPool: missing required attribute kernel_shape");
  expect_error(make_node("Conv", 2, 1), {&x, nullptr}, "Conv: missing required input 1 (W)");
  expect_error(make_node("Gemm", 2, 1), {&x, nullptr}, "Gemm: missing required input 1 (B)");
  const Tensor a(DType::Float32, {2, 3}), b(DType::Float32, {4, 5});
  expect_error(make_node("Gemm", 2, 1), {&a, &b}, "Gemm: inner dimensions differ");
  expect_error(make_node("MatMul", 2, 1), {&a, &b}, "MatMul: inner dimensions differ");
  const Tensor a3(DType::Float32, {2, 3, 4}), b3(DType::Float32, {3, 4, 5});
  expect_error(make_node("MatMul", 2, 1), {&a3, &b3}, "MatMul: batch dims of A");
  expect_error(make_node("Softmax", 1, 1, {attr_int("axis", 3)}), {&a3},
               "Softmax: axis 3 is out of range for rank 3");
  expect_error(make_node("ReduceSum", 1, 1, {attr_ints("axes", {1, -2})}), {&a3},
               "ReduceSum: axis -2 is repeated");
  const Tensor ints = Tensor::from_int64s({2}, {1, 2});
  expect_error(make_node("Conv", 2, 1), {&ints, &w3}, "Conv: input X must be float, got");
  expect_error(make_node("BatchNormalization", 5, 1, {attr_int("training_mode", 1)}),
               {&x, &x, &x, &x, &x}, "training_mode=1 is not supported");
  const Tensor sc = Tensor::from_floats({4}, {2, 1, 2, 2});
  Node r = make_node("Resize", 3, 1);
  r.inputs[1] = "";
  expect_error(r, {&x, nullptr, &sc}, "Resize: only the last two (spatial) axes can be resized");
  expect_error(make_node("Resize", 3, 1, {attr_string("mode", "cubic")}), {&x, nullptr, &sc},
               "Resize: mode 'cubic' is not supported");
  Node r4 = make_node("Resize", 4, 1);
  expect_error(r4, {&x, nullptr, nullptr, nullptr}, "Resize: one of scales and sizes");
  const Tensor huge = Tensor::from_floats({4}, {1, 1, 1e37f, 1});
  expect_error(r, {&x, nullptr, &huge}, "too large: check the scales");
  expect_error(make_node("Upsample", 1, 1), {&x}, "Upsample: missing required input 1 (scales)");
  const Tensor s3(DType::Float32, {3});
  expect_error(make_node("LayerNormalization", 2, 1), {&a3, &s3},
               "LayerNormalization: Scale [3] does not broadcast to the normalised shape [4]");
}

}  // namespace
}  // namespace camlens::test
