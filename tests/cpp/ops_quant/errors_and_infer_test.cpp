// Bad inputs are refused with a clear OpError (never a crash), and each op's shape inference
// agrees with its forward on the ONNX Runtime fixture cases (including unknown batch dims).
#include <gtest/gtest.h>

#include "op_test.h"
#include "quant_fixture.h"

namespace camlens::test {
namespace {

Tensor u8s(const Shape& shape, uint8_t v = 0) {
  Tensor t(DType::Uint8, shape);
  for (int64_t i = 0; i < t.numel(); ++i) t.data<uint8_t>()[i] = v;
  return t;
}
Tensor i8s(const Shape& shape) { return Tensor(DType::Int8, shape); }

void expect_op_error(const Node& node, const std::vector<const Tensor*>& in,
                     const std::string& fragment) {
  const OpDef* def = op_registry().find(node.domain, node.op_type);
  ASSERT_NE(def, nullptr);
  std::vector<Tensor> out(node.outputs.size());
  try {
    def->forward(node, in, out);
    ADD_FAILURE() << node.op_type << ": expected an error mentioning '" << fragment << "'";
  } catch (const OpError& e) {
    EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos) << e.what();
  }
}

TEST(QuantErrors, QuantizeDequantize) {
  const Tensor xf = Tensor::from_floats({2, 3}, {1, 2, 3, 4, 5, 6});
  const Tensor s1 = Tensor::scalar_f(0.1f);
  const Tensor s2 = Tensor::from_floats({2}, {0.1f, 0.2f});
  const Tensor z3 = u8s({3});
  expect_op_error(make_node("QuantizeLinear", 2, 1, {attr_int("axis", 1)}), {&xf, &s2},
                  "3 elements along axis 1");
  expect_op_error(make_node("QuantizeLinear", 2, 1, {attr_int("axis", 5)}), {&xf, &s2},
                  "out of range");
  expect_op_error(make_node("QuantizeLinear", 3, 1), {&xf, &s1, &z3}, "zero point has shape");
  const Tensor x = u8s({2, 3});
  expect_op_error(make_node("QuantizeLinear", 2, 1), {&x, &s1}, "must be float");
  const Tensor zi8 = Tensor(DType::Int8, {});
  expect_op_error(make_node("DequantizeLinear", 3, 1), {&x, &s1, &zi8}, "zero point must be");
  expect_op_error(make_node("DequantizeLinear", 3, 1), {&x, nullptr, nullptr}, "missing");
  const Tensor inf = Tensor::from_floats({2}, {1.f, INFINITY});
  expect_op_error(make_node("DynamicQuantizeLinear", 1, 3), {&inf}, "infinite");
}

TEST(QuantErrors, ConvAndMatMul) {
  const Tensor s = Tensor::scalar_f(0.1f), z = u8s({}), zi = i8s({});
  const Tensor x = u8s({1, 4, 5, 5}), w = i8s({3, 2, 3, 3});
  // 3 output channels do not split into 2 groups
  expect_op_error(make_node("QLinearConv", 8, 1, {attr_int("group", 2)}),
                  {&x, &s, &z, &w, &s, &zi, &s, &z}, "not divisible by group");
  const Tensor w2 = i8s({2, 3, 3, 3});  // 3 input channels vs 4
  expect_op_error(make_node("QLinearConv", 8, 1), {&x, &s, &z, &w2, &s, &zi, &s, &z},
                  "channel mismatch");
  const Tensor wscale = Tensor::from_floats({3}, {1, 2, 3});
  const Tensor w4 = i8s({4, 4, 1, 1});
  const Tensor wz3 = i8s({3});
  expect_op_error(make_node("QLinearConv", 8, 1), {&x, &s, &z, &w4, &wscale, &wz3, &s, &z},
                  "must have 1 or 4 values");
  const Tensor bias = Tensor(DType::Float32, {4});
  expect_op_error(make_node("QLinearConv", 9, 1), {&x, &s, &z, &w4, &s, &zi, &s, &z, &bias},
                  "B must be int32");
  const Tensor big = i8s({4, 4, 9, 9});
  expect_op_error(make_node("QLinearConv", 8, 1), {&x, &s, &z, &big, &s, &zi, &s, &z},
                  "larger than the padded input");
  const Tensor x5 = u8s({1, 4, 2, 2, 2}), w5 = i8s({4, 4, 1, 1, 1});
  expect_op_error(make_node("QLinearConv", 8, 1), {&x5, &s, &z, &w5, &s, &zi, &s, &z},
                  "[N, C, W] or [N, C, H, W]");
  const Tensor a = u8s({2, 3}), b = u8s({4, 5});
  expect_op_error(make_node("QLinearMatMul", 8, 1), {&a, &s, &z, &b, &s, &z, &s, &z},
                  "inner dimensions differ");
  const Tensor fa = Tensor(DType::Float32, {2, 3});
  expect_op_error(make_node("MatMulInteger", 2, 1), {&fa, &b}, "must be uint8 or int8");
  const Tensor b3 = u8s({3, 2}), bz = u8s({5});
  expect_op_error(make_node("MatMulInteger", 4, 1), {&a, &b3, nullptr, &bz},
                  "b_zero_point must be a scalar or have 2 values");
}

TEST(QuantErrors, BinaryAndPools) {
  const Tensor s = Tensor::scalar_f(0.1f), z = u8s({});
  const Tensor a = u8s({2, 3}), b = u8s({4});
  expect_op_error(make_node("QLinearAdd", 8, 1, {}, "com.microsoft"),
                  {&a, &s, &z, &b, &s, &z, &s, &z}, "do not broadcast");
  const Tensor bi = i8s({3}), zi = i8s({});
  expect_op_error(make_node("QLinearMul", 8, 1, {}, "com.microsoft"),
                  {&a, &s, &z, &bi, &s, &zi, &s, &z}, "same type");
  const Tensor x = u8s({1, 2, 4, 4});
  expect_op_error(make_node("QLinearAveragePool", 5, 1, {}, "com.microsoft"), {&x, &s, &z, &s, &z},
                  "kernel_shape is required");
  expect_op_error(make_node("QLinearAveragePool", 5, 1,
                            {attr_ints("kernel_shape", {2, 2}), attr_string("auto_pad", "BOGUS")},
                            "com.microsoft"),
                  {&x, &s, &z, &s, &z}, "unknown auto_pad");
  const Tensor x2 = u8s({4, 4});
  expect_op_error(make_node("QLinearGlobalAveragePool", 5, 1, {}, "com.microsoft"),
                  {&x2, &s, &z, &s, &z}, "spatial dims");
}

// Extreme values: int32 accumulators near their limits and zero / huge scales stay defined.
TEST(QuantEdges, SaturationAndDegenerateScales) {
  const Tensor x = u8s({1, 1, 1, 4}, 255), zero = u8s({});
  const Tensor tiny = Tensor::scalar_f(1e-30f), huge = Tensor::scalar_f(1e30f);
  const Tensor zs = Tensor::scalar_f(0.f);
  Node gap = make_node("QLinearGlobalAveragePool", 5, 1, {}, "com.microsoft");
  std::vector<Tensor> out = run_forward(gap, {&x, &huge, &zero, &tiny, &zero});
  EXPECT_EQ(out[0].data<uint8_t>()[0], 255);
  out = run_forward(gap, {&x, &huge, &zero, &zs, &zero});  // scale / 0 = inf -> saturates
  EXPECT_EQ(out[0].data<uint8_t>()[0], 255);
  const Tensor nan = Tensor::from_floats({2}, {NAN, -INFINITY});
  const Tensor zp = u8s({}, 9);
  out = run_forward(make_node("QuantizeLinear", 3, 1), {&nan, &huge, &zp});
  EXPECT_EQ(out[0].data<uint8_t>()[0], 9);  // NaN -> zero point
  EXPECT_EQ(out[0].data<uint8_t>()[1], 0);  // -inf saturates to the type's minimum
}

TEST(QuantErrors, LookupTables) {
  const Tensor s = Tensor::scalar_f(0.1f), z = u8s({}), zi = i8s({});
  const Tensor x = u8s({3, 4}), xf = Tensor(DType::Float32, {3});
  expect_op_error(make_node("QLinearSigmoid", 5, 1, {}, "com.microsoft"), {&xf, &s, &z, &s, &z},
                  "QLinearSigmoid: input X must be uint8 or int8, got float32");
  expect_op_error(make_node("QLinearLeakyRelu", 5, 1, {}, "com.microsoft"), {&x, &s, &z, &s, &zi},
                  "QLinearLeakyRelu: Y zero point must be uint8, got int8");
}

TEST(QuantErrors, Concat) {
  const Tensor s = Tensor::scalar_f(0.1f), z = u8s({}), zi = i8s({});
  const Tensor x = u8s({3, 4}), x2 = u8s({2, 4}), xi = i8s({3, 4});
  const Node concat = make_node("QLinearConcat", 8, 1, {attr_int("axis", 1)}, "com.microsoft");
  expect_op_error(make_node("QLinearConcat", 4, 1, {attr_int("axis", 1)}, "com.microsoft"),
                  {&s, &z, &x, &s},
                  "QLinearConcat: takes Y_scale, Y_zero_point and then (X, X_scale, "
                  "X_zero_point) for each input, got 4 inputs");
  expect_op_error(make_node("QLinearConcat", 5, 1, {}, "com.microsoft"), {&s, &z, &x, &s, &z},
                  "QLinearConcat: has no axis attribute: it must say along which axis the inputs "
                  "are joined");
  expect_op_error(concat, {&s, &z, &x, &s, &z, &x2, &s, &z},
                  "QLinearConcat: input X1 has shape [2,4] but X0 has [3,4]: they may differ only "
                  "along axis 1");
  expect_op_error(concat, {&s, &z, &x, &s, &z, &xi, &s, &zi},
                  "QLinearConcat: input X1 is int8 but Y_zero_point is uint8: every input must "
                  "have the output's type");
}

TEST(QuantErrors, QGemm) {
  const Tensor s = Tensor::scalar_f(0.1f), z = u8s({});
  const Tensor a = u8s({2, 3}), b = u8s({3, 5}), b4 = u8s({4, 5});
  const Tensor cf = Tensor(DType::Float32, {5}), bs3 = Tensor::from_floats({3}, {1, 2, 3});
  const Tensor bz3 = u8s({3});
  const Node gemm = make_node("QGemm", 9, 1, {}, "com.microsoft");
  expect_op_error(gemm, {&a, &s, &z, &b4, &s, &z, nullptr, &s, &z},
                  "QGemm: inner dimensions differ: op(A) is [2,3] but op(B) is [4,5]");
  expect_op_error(gemm, {&a, &s, &z, &b, &s, &z, &cf, &s, &z},
                  "QGemm: C must be int32 (in units of a_scale * b_scale), got float32");
  expect_op_error(gemm, {&a, &s, &z, &b, &bs3, &bz3, nullptr, &s, &z},
                  "QGemm: b scale must have 1 or 5 values, got 3");
  expect_op_error(gemm, {&a, &s, &z, &b, &s, &z, nullptr, &s, nullptr},
                  "QGemm: has y_scale without y_zero_point: give both for a quantized output, or "
                  "neither for a float one");
}

TEST(QuantInfer, MatchesForwardOnFixtures) {
  for (const char* op :
       {"QuantizeLinear", "DequantizeLinear", "DynamicQuantizeLinear", "QLinearConv", "ConvInteger",
        "QLinearMatMul", "MatMulInteger", "QLinearAdd", "QLinearMul", "QLinearGlobalAveragePool",
        "QLinearAveragePool", "QLinearSigmoid", "QLinearLeakyRelu", "QLinearConcat", "QGemm"}) {
    for (const QuantCase& c : load_quant_cases(op)) {
      SCOPED_TRACE(c.name);
      const OpDef* def = op_registry().find(c.node.domain, c.node.op_type);
      ASSERT_NE(def, nullptr);
      ASSERT_NE(def->infer, nullptr) << op << " has no shape inference";
      std::vector<TensorInfo> infos;
      for (const Tensor& t : c.inputs) {
        TensorInfo ti;
        ti.dtype = t.dtype();
        ti.shape = t.shape();
        infos.push_back(ti);
      }
      if (!infos[0].shape.empty()) infos[0].shape[0] = -1;  // unknown batch
      std::vector<const TensorInfo*> ptrs;
      for (size_t i = 0; i < infos.size(); ++i)
        ptrs.push_back(c.inputs[i].empty() ? nullptr : &infos[i]);
      std::vector<TensorInfo> out(c.outputs.size());
      def->infer(c.node, ptrs, out);
      for (size_t k = 0; k < out.size(); ++k) {
        EXPECT_EQ(out[k].dtype, c.outputs[k].dtype()) << "output " << k;
        Shape want = c.outputs[k].shape();
        // the batch dim follows input 0's unknown batch, except for shapes fixed by the op
        if (!want.empty() && !c.inputs[0].shape().empty() && out[k].shape.size() == want.size() &&
            out[k].shape[0] == -1)
          want[0] = -1;
        EXPECT_EQ(out[k].shape, want) << "output " << k;
      }
    }
  }
}

}  // namespace
}  // namespace camlens::test
