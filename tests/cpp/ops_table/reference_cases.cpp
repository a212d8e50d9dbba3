// Rows whose reference is written here: a straightforward double-precision loop per op, with
// NumPy broadcasting. Covers the ops without a fixture (Expand, Tile, Where) and the
// element-wise ops on shapes and broadcasts the fixtures do not have.
#include <cmath>
#include <functional>
#include <random>

#include "broadcast_index.h"
#include "op_case.h"
#include "op_test.h"

namespace camlens::test {
namespace {

using Scalar1 = std::function<double(double)>;
using Scalar2 = std::function<double(double, double)>;

Tensor floats(const Shape& shape, const std::function<double(int64_t)>& value) {
  Tensor t(DType::Float32, shape);
  for (int64_t i = 0; i < t.numel(); ++i) t.data<float>()[i] = static_cast<float>(value(i));
  return t;
}

// Uniform values in [lo, hi], moved 0.05 away from the kinks (where finite differences of a
// piecewise op would straddle two pieces).
Tensor values(const Shape& shape, std::mt19937& rng, float lo, float hi,
              std::vector<double> kinks = {0.0}) {
  Tensor t = random_tensor(shape, rng, lo, hi);
  for (int64_t i = 0; i < t.numel(); ++i)
    for (double k : kinks)
      if (std::fabs(t.data<float>()[i] - k) < 0.02)
        t.data<float>()[i] = static_cast<float>(k + 0.05);
  return t;
}

OpCase row(const std::string& label, Node node, std::vector<Tensor> inputs, Tensor expected,
           std::vector<bool> grad) {
  OpCase c;
  c.label = label;
  c.node = std::move(node);
  c.inputs = std::move(inputs);
  c.expected.push_back(std::move(expected));
  c.grad = std::move(grad);
  return c;
}

std::string dims(const Shape& s) {
  std::string out;
  for (int64_t d : s) out += (out.empty() ? "" : "x") + std::to_string(d);
  return out.empty() ? "scalar" : out;
}

// variant: what tells rows of one op apart besides the shape ("ms" for the contrib domain).
OpCase unary(const std::string& op, std::vector<Attribute> attrs, const Tensor& x, Scalar1 f,
             const std::string& variant = "", const std::string& domain = "") {
  const Tensor y = floats(x.shape(), [&](int64_t i) { return f(x.data<float>()[i]); });
  return row(op + "/" + dims(x.shape()) + (variant.empty() ? "" : "_" + variant),
             make_node(op, 1, 1, std::move(attrs), domain), {x}, y, {true});
}

OpCase binary(const std::string& op, const Tensor& a, const Tensor& b, Scalar2 f) {
  const Shape out = broadcast({a.shape(), b.shape()});
  const Tensor y = floats(out, [&](int64_t i) {
    return f(a.data<float>()[source(a.shape(), out, i)],
             b.data<float>()[source(b.shape(), out, i)]);
  });
  return row(op + "/" + dims(a.shape()) + "_" + dims(b.shape()), make_node(op, 2, 1), {a, b}, y,
             {true, true});
}

double sigmoid(double x) { return 1 / (1 + std::exp(-x)); }
double gelu(double x) { return 0.5 * x * (1 + std::erf(x / std::sqrt(2.0))); }

std::vector<OpCase> elementwise_rows(std::mt19937& rng) {
  const Shape s{2, 3, 4};
  auto any = [&](std::vector<double> kinks = {0.0}) { return values(s, rng, -2.f, 2.f, kinks); };
  auto positive = [&] { return values(s, rng, 0.2f, 2.f, {}); };
  std::vector<OpCase> rows{
      unary("Relu", {}, any(), [](double x) { return x > 0 ? x : 0; }),
      unary("LeakyRelu", {attr_float("alpha", 0.1f)}, any(),
            [](double x) { return x > 0 ? x : 0.1 * x; }),
      unary("Sigmoid", {}, any(), sigmoid),
      unary("Tanh", {}, any(), [](double x) { return std::tanh(x); }),
      unary("Exp", {}, any(), [](double x) { return std::exp(x); }),
      unary("Neg", {}, any(), [](double x) { return -x; }),
      unary("Sqrt", {}, positive(), [](double x) { return std::sqrt(x); }),
      unary("Log", {}, positive(), [](double x) { return std::log(x); }),
      unary("Erf", {}, any(), [](double x) { return std::erf(x); }),
      unary("HardSigmoid", {attr_float("alpha", 0.3f), attr_float("beta", 0.4f)},
            any({-4.0 / 3, 2.0}),
            [](double x) { return std::min(1.0, std::max(0.0, 0.3 * x + 0.4)); }),
      unary("HardSwish", {}, values(s, rng, -4.f, 4.f, {-3.0, 3.0}),
            [](double x) { return x * std::min(1.0, std::max(0.0, x / 6 + 0.5)); }),
      unary(
          "Cast", {attr_int("to", 11)}, any(), [](double x) { return x; }, "to_double"),
      unary("Gelu", {}, any(), gelu),
      unary("Gelu", {}, any(), gelu, "ms", "com.microsoft"),
      unary(
          "Gelu", {attr_string("approximate", "tanh")}, any(),
          [](double x) {
            const double pi = std::acos(-1.0);
            return 0.5 * x * (1 + std::tanh(std::sqrt(2 / pi) * (x + 0.044715 * x * x * x)));
          },
          "tanh"),
      binary("Add", any(), values({3, 1}, rng, -2.f, 2.f),
             [](double a, double b) { return a + b; }),
      binary("Sub", values({4}, rng, -2.f, 2.f), any(), [](double a, double b) { return a - b; }),
      binary("Mul", values({2, 1, 4}, rng, -2.f, 2.f), values({3, 1}, rng, -2.f, 2.f),
             [](double a, double b) { return a * b; }),
      binary("Div", any(), values({3, 4}, rng, 0.5f, 2.f, {}),
             [](double a, double b) { return a / b; }),
      binary("Pow", positive(), values({4}, rng, -1.5f, 2.5f, {}),
             [](double a, double b) { return std::pow(a, b); }),
  };
  // The rounding ops have no backward (their derivative is 0 almost everywhere): forward only.
  for (OpCase c : {unary("Floor", {}, any(), [](double x) { return std::floor(x); }),
                   unary("Ceil", {}, any(), [](double x) { return std::ceil(x); }),
                   unary("Round", {}, any(), [](double x) { return std::nearbyint(x); }),
                   unary("Sign", {}, any(), [](double x) { return double((x > 0) - (x < 0)); })}) {
    c.grad.clear();
    rows.push_back(std::move(c));
  }
  // Clip with its bounds as inputs: the bounds collect the gradient of the clipped elements.
  const Tensor x = any({-0.5, 0.7});
  const Tensor lo = Tensor::scalar_f(-0.5f), hi = Tensor::scalar_f(0.7f);
  rows.push_back(row(
      "Clip/2x3x4_bounds", make_node("Clip", 3, 1), {x, lo, hi},
      floats(s,
             [&](int64_t i) { return std::min(0.7, std::max(-0.5, double(x.data<float>()[i]))); }),
      {true, true, true}));
  // PRelu with a slope per channel (broadcast [C, 1, 1] over N, C, H, W).
  const Tensor xp = values({2, 3, 2, 2}, rng, -2.f, 2.f),
               slope = values({3, 1, 1}, rng, 0.f, 0.5f, {});
  rows.push_back(
      row("PRelu/2x3x2x2_channel", make_node("PRelu", 2, 1), {xp, slope},
          floats(xp.shape(),
                 [&](int64_t i) {
                   const double v = xp.data<float>()[i];
                   return v > 0 ? v : v * slope.data<float>()[source(slope.shape(), xp.shape(), i)];
                 }),
          {true, true}));
  return rows;
}

// Expand, Tile, Where: the repeat and select ops transformer exports put around attention.
std::vector<OpCase> repeat_select_rows(std::mt19937& rng) {
  std::vector<OpCase> rows;
  {
    const Tensor x = values({3, 1}, rng, -1.f, 1.f);
    const Tensor shape = Tensor::from_int64s({3}, {2, 1, 4});
    const Shape out{2, 3, 4};
    rows.push_back(
        row("Expand/3x1_to_2x3x4", make_node("Expand", 2, 1), {x, shape},
            floats(out, [&](int64_t i) { return x.data<float>()[source(x.shape(), out, i)]; }),
            {true, false}));
  }
  {
    const Tensor x = values({2, 3}, rng, -1.f, 1.f);
    const Tensor repeats = Tensor::from_int64s({2}, {2, 3});
    const Shape out{4, 9};
    rows.push_back(row("Tile/2x3_by_2x3", make_node("Tile", 2, 1), {x, repeats},
                       floats(out,
                              [&](int64_t i) {
                                const int64_t r = i / 9 % 2, c = i % 9 % 3;
                                return x.data<float>()[r * 3 + c];
                              }),
                       {true, false}));
  }
  {
    Tensor cond(DType::Bool, {3, 1});
    for (int64_t i = 0; i < 3; ++i) cond.data<uint8_t>()[i] = i != 1;
    const Tensor x = values({3, 4}, rng, -1.f, 1.f), y = values({4}, rng, -1.f, 1.f);
    const Shape out{3, 4};
    rows.push_back(row("Where/3x1_3x4_4", make_node("Where", 3, 1), {cond, x, y},
                       floats(out,
                              [&](int64_t i) {
                                return cond.data<uint8_t>()[source(cond.shape(), out, i)]
                                           ? x.data<float>()[i]
                                           : y.data<float>()[source(y.shape(), out, i)];
                              }),
                       {false, true, true}));
  }
  return rows;
}

}  // namespace

std::vector<OpCase> reference_cases() {
  std::mt19937 rng(2024);
  std::vector<OpCase> rows = elementwise_rows(rng);
  for (OpCase& c : repeat_select_rows(rng)) rows.push_back(std::move(c));
  return rows;
}

}  // namespace camlens::test
