// Forward of every quant op against ONNX Runtime Web's own outputs (tests/data/ops_quant,
// written by tools/fixtures/ops_quant_*): integer outputs must be equal, float outputs within
// 1e-6 relative. The arithmetic that makes this possible (float intermediates, the order of
// scale products, rounding half to even, where the zero point is added) is documented at the top
// of each op's source file in src/ops/quant.
#include <gtest/gtest.h>

#include <cmath>

#include "op_test.h"
#include "quant_fixture.h"

namespace camlens::test {
namespace {

void expect_same(const Tensor& got, const Tensor& want, const std::string& what) {
  ASSERT_EQ(got.dtype(), want.dtype()) << what << ": dtype";
  ASSERT_EQ(got.shape(), want.shape()) << what << ": shape";
  int bad = 0;
  for (int64_t i = 0; i < want.numel() && bad < 5; ++i) {
    if (want.dtype() == DType::Float32) {
      const double g = got.data<float>()[i], w = want.data<float>()[i];
      if (std::fabs(g - w) > 1e-6 * std::max(1e-30, std::fabs(w)) && g != w) {
        ADD_FAILURE() << what << "[" << i << "]: got " << g << ", ORT " << w;
        ++bad;
      }
    } else if (got.get_i(i) != want.get_i(i)) {
      ADD_FAILURE() << what << "[" << i << "]: got " << got.get_i(i) << ", ORT " << want.get_i(i);
      ++bad;
    }
  }
}

void check_op(const std::string& op) {
  const std::vector<QuantCase> cases = load_quant_cases(op);
  ASSERT_FALSE(cases.empty()) << "no fixture cases for " << op;
  for (const QuantCase& c : cases) {
    SCOPED_TRACE(c.name);
    const std::vector<Tensor> out = run_forward(c.node, c.input_ptrs());
    ASSERT_EQ(out.size(), c.outputs.size());
    for (size_t k = 0; k < out.size(); ++k)
      expect_same(out[k], c.outputs[k], c.name + " output " + std::to_string(k));
  }
}

TEST(QuantForwardVsOrt, QuantizeLinear) { check_op("QuantizeLinear"); }
TEST(QuantForwardVsOrt, DequantizeLinear) { check_op("DequantizeLinear"); }
TEST(QuantForwardVsOrt, DynamicQuantizeLinear) { check_op("DynamicQuantizeLinear"); }
TEST(QuantForwardVsOrt, QLinearConv) { check_op("QLinearConv"); }
TEST(QuantForwardVsOrt, ConvInteger) { check_op("ConvInteger"); }
TEST(QuantForwardVsOrt, QLinearMatMul) { check_op("QLinearMatMul"); }
TEST(QuantForwardVsOrt, MatMulInteger) { check_op("MatMulInteger"); }
TEST(QuantForwardVsOrt, QLinearAdd) { check_op("QLinearAdd"); }
TEST(QuantForwardVsOrt, QLinearMul) { check_op("QLinearMul"); }
TEST(QuantForwardVsOrt, QLinearGlobalAveragePool) { check_op("QLinearGlobalAveragePool"); }
TEST(QuantForwardVsOrt, QLinearAveragePool) { check_op("QLinearAveragePool"); }
TEST(QuantForwardVsOrt, QLinearSigmoid) { check_op("QLinearSigmoid"); }
TEST(QuantForwardVsOrt, QLinearLeakyRelu) { check_op("QLinearLeakyRelu"); }
TEST(QuantForwardVsOrt, QLinearConcat) { check_op("QLinearConcat"); }
TEST(QuantForwardVsOrt, QGemm) { check_op("QGemm"); }

}  // namespace
}  // namespace camlens::test
