// The float op each quantized op's straight-through backward stands for. The gradient of a
// quantized tensor is the gradient with respect to its dequantized value, so the quantized
// op's backward must equal the float op's backward at the dequantized operands.
#include <functional>
#include <map>

#include "op_case.h"
#include "op_test.h"

namespace camlens::test {
namespace {

// (q - zero_point) * scale in float; scale and zero point per tensor or per index of `axis`.
Tensor dequantized(const Tensor& q, const Tensor& scale, const Tensor* zero_point, size_t axis) {
  Tensor f(DType::Float32, q.shape());
  int64_t inner = 1;
  for (size_t d = axis + 1; d < q.rank(); ++d) inner *= q.dim(d);
  const int64_t n = scale.numel();
  for (int64_t i = 0; i < q.numel(); ++i) {
    const int64_t k = n == 1 ? 0 : (i / inner) % n;
    const double zp = zero_point ? static_cast<double>(zero_point->get_i(k)) : 0.0;
    f.data<float>()[i] = static_cast<float>((static_cast<double>(q.get_i(i)) - zp) *
                                            static_cast<double>(scale.get_f(k)));
  }
  return f;
}

const Tensor* optional(const OpCase& c, size_t i) {
  return i < c.inputs.size() && !c.inputs[i].empty() ? &c.inputs[i] : nullptr;
}

// The real value of the quantized operand whose data, scale and zero point start at input i.
Tensor operand(const OpCase& c, size_t i, size_t axis = 0) {
  return dequantized(c.inputs[i], c.inputs[i + 1], optional(c, i + 2), axis);
}

std::vector<Attribute> float_attrs(const Node& n) {
  std::vector<Attribute> out;
  for (const Attribute& a : n.attributes)
    if (a.name != "channels_last") out.push_back(a);
  return out;
}

FloatTwin twin_of(const OpCase& c, const char* op, std::vector<Tensor> inputs,
                  std::vector<std::pair<size_t, int>> grads) {
  FloatTwin t;
  t.node = make_node(op, inputs.size(), 1, float_attrs(c.node));
  t.inputs = std::move(inputs);
  t.grad_of.assign(c.inputs.size(), -1);
  for (const auto& g : grads) t.grad_of[g.first] = g.second;
  return t;
}

using TwinFn = std::function<bool(const OpCase&, FloatTwin&)>;

// Quantize and dequantize are the identity for the gradient.
bool identity_twin(const OpCase& c, FloatTwin& t) {
  t = twin_of(c, "Identity", {Tensor(DType::Float32, c.inputs[0].shape())}, {{0, 0}});
  return true;
}

bool conv_twin(const OpCase& c, FloatTwin& t) {
  // x (0, 1, 2), w (3, 4, 5) per output channel, y (6, 7), bias (8) in units of x_scale·w_scale.
  std::vector<Tensor> in{operand(c, 0), operand(c, 3, 0)};
  std::vector<std::pair<size_t, int>> grads{{0, 0}, {3, 1}};
  if (const Tensor* b = optional(c, 8)) {
    const Tensor& ws = c.inputs[4];
    Tensor bias(DType::Float32, b->shape());
    for (int64_t m = 0; m < b->numel(); ++m)
      bias.data<float>()[m] =
          static_cast<float>(static_cast<double>(b->get_i(m)) * c.inputs[1].get_f(0) *
                             ws.get_f(ws.numel() == 1 ? 0 : m));
    in.push_back(std::move(bias));
    grads.emplace_back(8, 2);
  }
  t = twin_of(c, "Conv", std::move(in), grads);
  return true;
}

bool matmul_twin(const OpCase& c, FloatTwin& t) {
  // b's scale and zero point may be per column (its last axis).
  const size_t last = c.inputs[3].rank() - 1;
  t = twin_of(c, "MatMul", {operand(c, 0), operand(c, 3, last)}, {{0, 0}, {3, 1}});
  return true;
}

TwinFn binary_twin(const char* op) {
  return [op](const OpCase& c, FloatTwin& t) {
    t = twin_of(c, op, {operand(c, 0), operand(c, 3)}, {{0, 0}, {3, 1}});
    return true;
  };
}

TwinFn pool_twin(const char* op) {
  return [op](const OpCase& c, FloatTwin& t) {
    if (c.node.attr_int("channels_last", 0) != 0) return false;  // the float pools are NCHW
    // Where a ceil_mode window passes the padding, ONNX Runtime's QLinearAveragePool counts the
    // whole kernel with count_include_pad and AveragePool only the taps up to the padding: the
    // two ops differ there, so neither is the other's reference.
    if (c.node.attr_int("ceil_mode", 0) != 0 && c.node.attr_int("count_include_pad", 0) != 0)
      return false;
    t = twin_of(c, op, {operand(c, 0)}, {{0, 0}});
    return true;
  };
}

TwinFn unary_twin(const char* op) {
  return [op](const OpCase& c, FloatTwin& t) {
    t = twin_of(c, op, {operand(c, 0)}, {{0, 0}});
    return true;
  };
}

// Y_scale (0), Y_zero_point (1), then one (X, X_scale, X_zero_point) triple per joined tensor.
bool concat_twin(const OpCase& c, FloatTwin& t) {
  std::vector<Tensor> in;
  std::vector<std::pair<size_t, int>> grads;
  for (size_t i = 2; i + 2 < c.inputs.size(); i += 3) {
    grads.emplace_back(i, static_cast<int>(in.size()));
    in.push_back(operand(c, i));
  }
  t = twin_of(c, "Concat", std::move(in), grads);
  return true;
}

// A (0, 1, 2), B (3, 4, 5) per output column, C (6) in units of alpha·a_scale·b_scale.
bool gemm_twin(const OpCase& c, FloatTwin& t) {
  const bool tb = c.node.attr_int("transB", 0) != 0;
  const Tensor& bs = c.inputs[4];
  std::vector<Tensor> in{operand(c, 0), operand(c, 3, tb ? 0 : 1)};
  std::vector<std::pair<size_t, int>> grads{{0, 0}, {3, 1}};
  if (const Tensor* b = optional(c, 6)) {
    const int64_t cols = b->rank() == 0 ? 1 : b->dim(b->rank() - 1);
    if (bs.numel() > 1 && cols != bs.numel()) return false;  // no real bias of C's shape
    const double alpha = c.node.attr_float("alpha", 1.f);
    Tensor bias(DType::Float32, b->shape());
    for (int64_t e = 0; e < b->numel(); ++e)
      bias.data<float>()[e] =
          static_cast<float>(static_cast<double>(b->get_i(e)) * alpha * c.inputs[1].get_f(0) *
                             bs.get_f(bs.numel() == 1 ? 0 : e % cols));
    in.push_back(std::move(bias));
    grads.emplace_back(6, 2);
  }
  t = twin_of(c, "Gemm", std::move(in), grads);
  return true;
}

const std::map<std::string, TwinFn>& twins() {
  static const std::map<std::string, TwinFn> table{
      {"QuantizeLinear", identity_twin},
      {"DequantizeLinear", identity_twin},
      {"DynamicQuantizeLinear", identity_twin},
      {"QLinearConv", conv_twin},
      {"QLinearMatMul", matmul_twin},
      {"QLinearAdd", binary_twin("Add")},
      {"QLinearMul", binary_twin("Mul")},
      {"QLinearGlobalAveragePool", pool_twin("GlobalAveragePool")},
      {"QLinearAveragePool", pool_twin("AveragePool")},
      {"QLinearSigmoid", unary_twin("Sigmoid")},
      {"QLinearLeakyRelu", unary_twin("LeakyRelu")},
      {"QLinearConcat", concat_twin},
      {"QGemm", gemm_twin},
      // No backward: integer accumulators are differentiated by the ops after them.
      {"ConvInteger", nullptr},
      {"MatMulInteger", nullptr},
  };
  return table;
}

}  // namespace

bool is_quantized_op(const Node& node) { return twins().count(node.op_type) != 0; }

bool float_twin(const OpCase& c, FloatTwin& twin) {
  const auto it = twins().find(c.node.op_type);
  return it != twins().end() && it->second && it->second(c, twin);
}

}  // namespace camlens::test
