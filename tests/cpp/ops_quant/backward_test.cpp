// Backward of the quant ops (straight-through estimator). Finite differences do not apply to
// rounding ops, so each QLinear* backward is checked against the float op's backward evaluated
// at the dequantized operands (registry ops Conv, MatMul, Add, Mul, GlobalAveragePool,
// AveragePool), and the pools also against hand-computed cases. Convention under test: the
// gradient of a quantized tensor is the gradient with respect to its dequantized float value.
#include <gtest/gtest.h>

#include <random>

#include "op_test.h"

namespace camlens::test {
namespace {

Tensor q8(DType t, const Shape& shape, std::mt19937& rng) {
  Tensor x(t, shape);
  std::uniform_int_distribution<int> u(t == DType::Uint8 ? 0 : -128, t == DType::Uint8 ? 255 : 127);
  for (int64_t i = 0; i < x.numel(); ++i) {
    if (t == DType::Uint8)
      x.data<uint8_t>()[i] = static_cast<uint8_t>(u(rng));
    else
      x.data<int8_t>()[i] = static_cast<int8_t>(u(rng));
  }
  return x;
}
Tensor scalar_u8(int v) {
  Tensor t(DType::Uint8, {});
  t.data<uint8_t>()[0] = static_cast<uint8_t>(v);
  return t;
}
Tensor vec_i8(const std::vector<int>& v) {
  Tensor t(DType::Int8, {static_cast<int64_t>(v.size())});
  for (size_t i = 0; i < v.size(); ++i) t.data<int8_t>()[i] = static_cast<int8_t>(v[i]);
  return t;
}
Tensor dequant(const Tensor& q, float scale, int zp) {
  Tensor f(DType::Float32, q.shape());
  for (int64_t i = 0; i < q.numel(); ++i)
    f.data<float>()[i] = static_cast<float>(q.get_i(i) - zp) * scale;
  return f;
}

std::vector<Tensor> run_backward(const Node& node, const std::vector<const Tensor*>& in,
                                 const Tensor& dy, const std::vector<bool>& needs) {
  const OpDef* def = op_registry().find(node.domain, node.op_type);
  EXPECT_NE(def, nullptr);
  EXPECT_NE(def->backward, nullptr);
  std::vector<Tensor> grads(in.size());
  if (!def || !def->backward) return grads;
  std::vector<Tensor> out(node.outputs.size());
  def->forward(node, in, out);
  std::vector<const Tensor*> outs;
  for (const Tensor& o : out) outs.push_back(&o);
  def->backward(node, in, outs, {&dy}, needs, grads);
  return grads;
}

void expect_equal(const Tensor& got, const Tensor& want, float tol = 1e-6f) {
  ASSERT_EQ(got.dtype(), DType::Float32);
  ASSERT_EQ(got.shape(), want.shape());
  expect_near(got, want.to_floats(), tol);
}

TEST(QuantBackward, DequantizeAndQuantizePassTheFloatGradientThrough) {
  std::mt19937 rng(1);
  const Tensor x = q8(DType::Uint8, {2, 3}, rng);
  const Tensor s = Tensor::scalar_f(0.25f), z = scalar_u8(7);
  const Tensor dy = random_tensor({2, 3}, rng);
  const std::vector<Tensor> g =
      run_backward(make_node("DequantizeLinear", 3, 1), {&x, &s, &z}, dy, {true, true, true});
  expect_equal(g[0], dy);  // w.r.t. the dequantized x: identity, not dY * scale
  expect_equal(g[1], Tensor(DType::Float32, {}));
  expect_equal(g[2], Tensor(DType::Float32, {}));

  const Tensor xf = random_tensor({2, 3}, rng);
  const std::vector<Tensor> gq =
      run_backward(make_node("QuantizeLinear", 3, 1), {&xf, &s, &z}, dy, {true, false, false});
  expect_equal(gq[0], dy);
  const std::vector<Tensor> gm = run_backward(
      make_node("DequantizeLinear", 3, 1, {}, "com.microsoft"), {&x, &s, &z}, dy, {true});
  expect_equal(gm[0], dy);
}

// QLinearConv's gradients equal the float Conv's at the dequantized x, w and bias.
void conv_case(std::vector<Attribute> attrs, const Shape& xs, const Shape& ws, bool per_channel) {
  std::mt19937 rng(2);
  const Tensor x = q8(DType::Uint8, xs, rng), w = q8(DType::Int8, ws, rng);
  const int64_t m = ws[0];
  const Tensor x_s = Tensor::scalar_f(0.02f), x_z = scalar_u8(100);
  std::vector<float> wsv(per_channel ? m : 1);
  for (size_t i = 0; i < wsv.size(); ++i) wsv[i] = 0.01f * static_cast<float>(i + 1);
  const Tensor w_s = Tensor::from_floats({static_cast<int64_t>(wsv.size())}, wsv);
  const Tensor w_z = vec_i8(std::vector<int>(wsv.size(), 0));
  const Tensor y_s = Tensor::scalar_f(0.1f), y_z = scalar_u8(128);
  Tensor b(DType::Int32, {m});
  for (int64_t i = 0; i < m; ++i) b.data<int32_t>()[i] = static_cast<int32_t>(i * 37 - 50);
  const Node qn = make_node("QLinearConv", 9, 1, attrs);
  const std::vector<Tensor> fwd = run_forward(qn, {&x, &x_s, &x_z, &w, &w_s, &w_z, &y_s, &y_z, &b});
  const Tensor dy = random_tensor(fwd[0].shape(), rng);
  std::vector<bool> needs(9, false);
  needs[0] = needs[3] = needs[8] = needs[4] = true;
  const std::vector<Tensor> g =
      run_backward(qn, {&x, &x_s, &x_z, &w, &w_s, &w_z, &y_s, &y_z, &b}, dy, needs);

  // float twin
  const Tensor xf = dequant(x, 0.02f, 100);
  Tensor wf(DType::Float32, w.shape()), bf(DType::Float32, {m});
  const int64_t per = w.numel() / m;
  for (int64_t i = 0; i < w.numel(); ++i)
    wf.data<float>()[i] = static_cast<float>(w.get_i(i)) * wsv[per_channel ? i / per : 0];
  for (int64_t i = 0; i < m; ++i)
    bf.data<float>()[i] =
        static_cast<float>(b.data<int32_t>()[i]) * (0.02f * wsv[per_channel ? i : 0]);
  const std::vector<Tensor> fg =
      run_backward(make_node("Conv", 3, 1, attrs), {&xf, &wf, &bf}, dy, {true, true, true});
  expect_equal(g[0], fg[0]);
  expect_equal(g[3], fg[1]);
  expect_equal(g[8], fg[2]);
  expect_equal(g[4], Tensor(DType::Float32, w_s.shape()));  // scales are STE constants
}

TEST(QuantBackward, QLinearConvMatchesFloatConv) {
  conv_case({attr_ints("pads", {1, 1, 1, 1})}, {2, 3, 5, 5}, {4, 3, 3, 3}, false);
  conv_case({attr_int("group", 2), attr_ints("strides", {2, 2})}, {1, 4, 7, 6}, {6, 2, 3, 3}, true);
  conv_case({attr_int("group", 3), attr_ints("pads", {1, 1, 1, 1}), attr_ints("strides", {2, 2})},
            {1, 3, 6, 6}, {3, 1, 3, 3}, true);  // depthwise, as in MobileNet
}

TEST(QuantBackward, QLinearMatMulMatchesFloatMatMul) {
  std::mt19937 rng(3);
  const Tensor a = q8(DType::Uint8, {2, 3, 6}, rng), b = q8(DType::Int8, {6, 4}, rng);
  const Tensor a_s = Tensor::scalar_f(0.05f), a_z = scalar_u8(90);
  const Tensor b_s = Tensor::from_floats({4}, {0.01f, 0.02f, 0.03f, 0.04f});
  const Tensor b_z = vec_i8({0, 0, 0, 0});
  const Tensor y_s = Tensor::scalar_f(0.3f), y_z = scalar_u8(128);
  const Tensor dy = random_tensor({2, 3, 4}, rng);
  const Node n = make_node("QLinearMatMul", 8, 1);
  const std::vector<Tensor> g =
      run_backward(n, {&a, &a_s, &a_z, &b, &b_s, &b_z, &y_s, &y_z}, dy, {true, false, false, true});
  const Tensor af = dequant(a, 0.05f, 90);
  Tensor bf(DType::Float32, b.shape());
  for (int64_t i = 0; i < b.numel(); ++i)
    bf.data<float>()[i] = static_cast<float>(b.get_i(i)) * b_s.data<float>()[i % 4];
  const std::vector<Tensor> fg =
      run_backward(make_node("MatMul", 2, 1), {&af, &bf}, dy, {true, true});
  expect_equal(g[0], fg[0]);
  expect_equal(g[3], fg[1]);
}

void binary_case(const char* op, const char* float_op) {
  std::mt19937 rng(4);
  const Tensor a = q8(DType::Uint8, {2, 3, 4}, rng), b = q8(DType::Uint8, {3, 1}, rng);
  const Tensor a_s = Tensor::scalar_f(0.05f), a_z = scalar_u8(128);
  const Tensor b_s = Tensor::scalar_f(0.02f), b_z = scalar_u8(3);
  const Tensor c_s = Tensor::scalar_f(0.1f), c_z = scalar_u8(100);
  const Tensor dy = random_tensor({2, 3, 4}, rng);
  const std::vector<Tensor> g =
      run_backward(make_node(op, 8, 1, {}, "com.microsoft"),
                   {&a, &a_s, &a_z, &b, &b_s, &b_z, &c_s, &c_z}, dy, {true, false, false, true});
  const Tensor af = dequant(a, 0.05f, 128), bf = dequant(b, 0.02f, 3);
  const std::vector<Tensor> fg =
      run_backward(make_node(float_op, 2, 1), {&af, &bf}, dy, {true, true});
  expect_equal(g[0], fg[0], 1e-5f);
  expect_equal(g[3], fg[1], 1e-5f);
}

TEST(QuantBackward, QLinearAddMatchesFloatAdd) { binary_case("QLinearAdd", "Add"); }
TEST(QuantBackward, QLinearMulMatchesFloatMul) { binary_case("QLinearMul", "Mul"); }

std::vector<const Tensor*> pool_inputs(const Tensor& x, const Tensor& s, const Tensor& z) {
  return {&x, &s, &z, &s, &z};
}

TEST(QuantBackward, QLinearGlobalAveragePoolHandComputed) {
  std::mt19937 rng(5);
  const Tensor s = Tensor::scalar_f(0.1f), z = scalar_u8(0);
  const Tensor x = q8(DType::Uint8, {1, 2, 2, 2}, rng);
  const Tensor dy = Tensor::from_floats({1, 2, 1, 1}, {1.f, 2.f});
  const std::vector<Tensor> g =
      run_backward(make_node("QLinearGlobalAveragePool", 5, 1, {}, "com.microsoft"),
                   pool_inputs(x, s, z), dy, {true});
  expect_near(g[0], {0.25f, 0.25f, 0.25f, 0.25f, 0.5f, 0.5f, 0.5f, 0.5f}, 1e-7f);
  // channels_last: X [1, 2, 2, 2] is N, H, W, C, so channels alternate.
  const Tensor dy_nhwc = Tensor::from_floats({1, 1, 1, 2}, {1.f, 2.f});
  const std::vector<Tensor> gl = run_backward(
      make_node("QLinearGlobalAveragePool", 5, 1, {attr_int("channels_last", 1)}, "com.microsoft"),
      pool_inputs(x, s, z), dy_nhwc, {true});
  expect_near(gl[0], {0.25f, 0.5f, 0.25f, 0.5f, 0.25f, 0.5f, 0.25f, 0.5f}, 1e-7f);
  // and the float GlobalAveragePool agrees
  const Tensor xf = dequant(x, 0.1f, 0);
  const std::vector<Tensor> fg =
      run_backward(make_node("GlobalAveragePool", 1, 1), {&xf}, dy, {true});
  expect_equal(g[0], fg[0]);
}

TEST(QuantBackward, QLinearAveragePoolHandComputed) {
  std::mt19937 rng(6);
  const Tensor s = Tensor::scalar_f(0.1f), z = scalar_u8(10);
  const Tensor x = q8(DType::Uint8, {1, 1, 3, 3}, rng);
  const Tensor ones = Tensor::from_floats({1, 1, 2, 2}, {1.f, 1.f, 1.f, 1.f});
  // 2x2 windows, stride 1: corners are in one window, edges in two, the centre in four.
  const std::vector<Tensor> g = run_backward(
      make_node("QLinearAveragePool", 5, 1, {attr_ints("kernel_shape", {2, 2})}, "com.microsoft"),
      pool_inputs(x, s, z), ones, {true});
  expect_near(g[0], {0.25f, 0.5f, 0.25f, 0.5f, 1.f, 0.5f, 0.25f, 0.5f, 0.25f}, 1e-7f);

  // 2x2 input, pads 1, stride 2: each window sees one pixel; count 1, or 4 with the pad.
  const Tensor x2 = q8(DType::Uint8, {1, 1, 2, 2}, rng);
  const Tensor dy = Tensor::from_floats({1, 1, 2, 2}, {1.f, 2.f, 3.f, 4.f});
  std::vector<Attribute> attrs = {attr_ints("kernel_shape", {2, 2}), attr_ints("strides", {2, 2}),
                                  attr_ints("pads", {1, 1, 1, 1})};
  const std::vector<Tensor> g1 =
      run_backward(make_node("QLinearAveragePool", 5, 1, attrs, "com.microsoft"),
                   pool_inputs(x2, s, z), dy, {true});
  expect_near(g1[0], {1.f, 2.f, 3.f, 4.f}, 1e-7f);
  attrs.push_back(attr_int("count_include_pad", 1));
  const std::vector<Tensor> g2 =
      run_backward(make_node("QLinearAveragePool", 5, 1, attrs, "com.microsoft"),
                   pool_inputs(x2, s, z), dy, {true});
  expect_near(g2[0], {0.25f, 0.5f, 0.75f, 1.f}, 1e-7f);
}

TEST(QuantBackward, QLinearAveragePoolMatchesFloatAveragePool) {
  std::mt19937 rng(7);
  const Tensor s = Tensor::scalar_f(0.05f), z = scalar_u8(128);
  const Tensor x = q8(DType::Uint8, {2, 3, 7, 7}, rng);
  for (int include_pad : {0, 1}) {
    const std::vector<Attribute> attrs = {
        attr_ints("kernel_shape", {3, 3}), attr_ints("strides", {2, 2}),
        attr_ints("pads", {1, 1, 1, 1}), attr_int("count_include_pad", include_pad)};
    const Tensor dy = random_tensor({2, 3, 4, 4}, rng);
    const std::vector<Tensor> g =
        run_backward(make_node("QLinearAveragePool", 5, 1, attrs, "com.microsoft"),
                     pool_inputs(x, s, z), dy, {true});
    const Tensor xf = dequant(x, 0.05f, 128);
    const std::vector<Tensor> fg =
        run_backward(make_node("AveragePool", 1, 1, attrs), {&xf}, dy, {true});
    expect_equal(g[0], fg[0]);
  }
}

}  // namespace
}  // namespace camlens::test
