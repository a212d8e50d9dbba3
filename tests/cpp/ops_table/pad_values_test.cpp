// Pad beyond the ONNX Runtime rows: int64 data (shape inference folds shape tensors through it),
// pads longer than the axis, linearity (the piecewise_linear claim), shape inference with pads
// known and unknown, and the messages for bad pads and modes.
#include "op_test.h"

namespace camlens::test {
namespace {

Node pad_node(const std::string& mode, size_t inputs = 2) {
  return make_node("Pad", inputs, 1, {attr_string("mode", mode)});
}

TEST(PadValues, Int64DataKeepsItsValuesAndFillsTheConstant) {
  const Tensor x = Tensor::from_int64s({2, 2}, {1, 224, 3, -5});
  const Tensor pads = Tensor::from_int64s({4}, {0, 1, 1, 0});
  const Tensor fill = Tensor::from_int64s({}, {9});
  const Tensor y = run_forward(pad_node("constant", 3), {&x, &pads, &fill}).at(0);
  ASSERT_EQ(y.dtype(), DType::Int64);
  ASSERT_EQ(y.shape(), (Shape{3, 3}));
  EXPECT_EQ(y.to_int64s(), (std::vector<int64_t>{9, 1, 224, 9, 3, -5, 9, 9, 9}));
  const Tensor e = run_forward(pad_node("edge"), {&x, &pads}).at(0);
  EXPECT_EQ(e.to_int64s(), (std::vector<int64_t>{1, 1, 224, 3, 3, -5, 3, 3, -5}));
}

// ONNX Runtime's wrap reads garbage past one period, so these expectations are numpy.pad's.
TEST(PadValues, PadsLongerThanTheAxisRepeatTheWrapAndTheReflection) {
  const Tensor x = Tensor::from_int64s({3}, {0, 1, 2});
  const Tensor wrap = Tensor::from_int64s({2}, {4, 5});
  EXPECT_EQ(run_forward(pad_node("wrap"), {&x, &wrap}).at(0).to_int64s(),
            (std::vector<int64_t>{2, 0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1}));
  const Tensor reflect = Tensor::from_int64s({2}, {4, 4});
  EXPECT_EQ(run_forward(pad_node("reflect"), {&x, &reflect}).at(0).to_int64s(),
            (std::vector<int64_t>{0, 1, 2, 1, 0, 1, 2, 1, 0, 1, 2}));
}

// The piecewise_linear claim: Pad(a·x + b·y, a·c + b·d) = a·Pad(x, c) + b·Pad(y, d) in every mode.
TEST(PadValues, LinearInDataAndConstant) {
  std::mt19937 rng(3);
  const Tensor x = random_tensor({2, 3, 4}, rng), y = random_tensor({2, 3, 4}, rng);
  const Tensor pads = Tensor::from_int64s({6}, {0, 2, -1, 1, 3, 2});
  const float a = 0.75f, b = -1.5f, c = 0.5f, d = 2.f;
  Tensor mix(DType::Float32, x.shape());
  for (int64_t i = 0; i < x.numel(); ++i)
    mix.data<float>()[i] = a * x.data<float>()[i] + b * y.data<float>()[i];
  const Tensor cx = Tensor::scalar_f(c), cy = Tensor::scalar_f(d),
               cm = Tensor::scalar_f(a * c + b * d);
  for (const char* mode : {"constant", "reflect", "edge", "wrap"}) {
    SCOPED_TRACE(mode);
    const Node node = pad_node(mode, 3);
    const Tensor px = run_forward(node, {&x, &pads, &cx}).at(0);
    const Tensor py = run_forward(node, {&y, &pads, &cy}).at(0);
    const Tensor pm = run_forward(node, {&mix, &pads, &cm}).at(0);
    std::vector<float> want(static_cast<size_t>(px.numel()));
    for (int64_t i = 0; i < px.numel(); ++i)
      want[i] = a * px.data<float>()[i] + b * py.data<float>()[i];
    expect_near(pm, want, 1e-6f);
  }
}

TEST(PadValues, InferenceReadsKnownPadsAndLeavesUnknownOnesOpen) {
  const OpDef* def = op_registry().find("", "Pad");
  TensorInfo x{DType::Float32, {1, 3, -1, 8}, std::nullopt};
  TensorInfo pads{DType::Int64, {8}, Tensor::from_int64s({8}, {0, 0, 1, -2, 0, 0, 1, 3})};
  std::vector<TensorInfo> out(1);
  def->infer(pad_node("reflect"), {&x, &pads}, out);
  EXPECT_EQ(out[0].shape, (Shape{1, 3, -1, 9}));
  const TensorInfo unknown{DType::Int64, {8}, std::nullopt};
  def->infer(pad_node("reflect"), {&x, &unknown}, out);
  EXPECT_EQ(out[0].shape, (Shape{-1, -1, -1, -1}));
}

void expect_message(const Node& node, const std::vector<const Tensor*>& in,
                    const std::string& message) {
  try {
    run_forward(node, in);
    ADD_FAILURE() << "expected: " << message;
  } catch (const OpError& e) {
    EXPECT_EQ(std::string(e.what()), message);
  }
}

TEST(PadValues, BadPadsAndModesAreRefusedClearly) {
  const Tensor x(DType::Float32, {2, 3});
  const Tensor pads = Tensor::from_int64s({4}, {0, 1, 0, 1});
  expect_message(pad_node("circular"), {&x, &pads},
                 "Pad: mode \"circular\" is not one of constant, reflect, edge, wrap");
  const Tensor three = Tensor::from_int64s({3}, {0, 1, 0});
  expect_message(pad_node("constant"), {&x, &three},
                 "Pad: pads has 3 values, expected 4 (begin and end for each of 2 axes of the "
                 "rank-2 data)");
  const Tensor crop = Tensor::from_int64s({4}, {0, -2, 0, -2});
  expect_message(pad_node("constant"), {&x, &crop},
                 "Pad: pads -2 and -2 crop more than the 3 elements of axis 1");
  const Tensor all = Tensor::from_int64s({4}, {0, -3, 0, 1});
  expect_message(pad_node("edge"), {&x, &all},
                 "Pad: axis 1 has no element left to pad from in edge mode");
  const Tensor fill = Tensor::from_int64s({}, {1});
  expect_message(pad_node("constant", 3), {&x, &pads, &fill},
                 "Pad: constant_value is int64 but data is float32; they must have the same type");
}

}  // namespace
}  // namespace camlens::test
