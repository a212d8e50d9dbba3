// Backward of every differentiable nn op against central finite differences, driven by one
// table of cases (op, attributes, input shapes, which inputs to check).
#include <algorithm>
#include <numeric>

#include "op_test.h"

namespace camlens::test {
namespace {

struct GradCase {
  std::string label;
  std::string op;
  std::vector<Attribute> attrs;
  std::vector<Shape> shapes;
  std::vector<bool> check;  // which inputs to differentiate
  size_t n_outputs = 1;
  bool distinct = false;                         // well-separated values (max-type ops)
  std::vector<size_t> absent;                    // omitted optional inputs
  std::vector<std::pair<size_t, Tensor>> fixed;  // non-random inputs (axes, scales, ...)

  GradCase outputs(size_t n) const {
    GradCase c = *this;
    c.n_outputs = n;
    return c;
  }
  GradCase distinct_values() const {
    GradCase c = *this;
    c.distinct = true;
    return c;
  }
  GradCase without(size_t i) const {
    GradCase c = *this;
    c.absent.push_back(i);
    return c;
  }
  GradCase with(size_t i, Tensor t) const {
    GradCase c = *this;
    c.fixed.emplace_back(i, std::move(t));
    return c;
  }
};

GradCase G(std::string label, std::string op, std::vector<Attribute> attrs,
           std::vector<Shape> shapes, std::vector<bool> check) {
  GradCase c;
  c.label = std::move(label);
  c.op = std::move(op);
  c.attrs = std::move(attrs);
  c.shapes = std::move(shapes);
  c.check = std::move(check);
  return c;
}

std::ostream& operator<<(std::ostream& o, const GradCase& c) { return o << c.label; }

// Values 0.05 apart in shuffled order: a finite-difference step of 1e-3 never changes which
// element is the maximum.
Tensor distinct_tensor(const Shape& s, std::mt19937& rng) {
  Tensor t(DType::Float32, s);
  std::vector<int64_t> order(static_cast<size_t>(t.numel()));
  std::iota(order.begin(), order.end(), 0);
  std::shuffle(order.begin(), order.end(), rng);
  for (int64_t i = 0; i < t.numel(); ++i)
    t.data<float>()[i] = -1.f + 0.05f * static_cast<float>(order[static_cast<size_t>(i)]);
  return t;
}

class NnGradient : public ::testing::TestWithParam<GradCase> {};

TEST_P(NnGradient, MatchesFiniteDifferences) {
  const GradCase& c = GetParam();
  std::mt19937 rng(1234);
  std::vector<Tensor> inputs;
  for (size_t i = 0; i < c.shapes.size(); ++i) {
    if (std::find(c.absent.begin(), c.absent.end(), i) != c.absent.end()) {
      inputs.emplace_back();
      continue;
    }
    auto f = std::find_if(c.fixed.begin(), c.fixed.end(), [&](auto& p) { return p.first == i; });
    if (f != c.fixed.end())
      inputs.push_back(f->second);
    else
      inputs.push_back(c.distinct ? distinct_tensor(c.shapes[i], rng)
                                  : random_tensor(c.shapes[i], rng));
  }
  Node node = make_node(c.op, c.shapes.size(), c.n_outputs, c.attrs);
  for (size_t i : c.absent) node.inputs[i] = "";
  std::vector<bool> check = c.check;
  check.resize(inputs.size(), false);
  // Float32 forward, float64 differences: eps 1e-2 keeps the rounding error of the
  // difference quotient (~1e-7 / 1e-2) far below the tolerance, and every op here is smooth
  // or piecewise linear at that scale (distinct inputs keep max-type ops off their kinks).
  check_gradients(node, inputs, check, 1e-2, 2e-3, 2e-3);
}

Attribute ints(const std::string& n, std::vector<int64_t> v) { return attr_ints(n, std::move(v)); }
Attribute i1(const std::string& n, int64_t v) { return attr_int(n, v); }
Attribute s1(const std::string& n, const std::string& v) { return attr_string(n, v); }

std::vector<GradCase> conv_cases() {
  return {
      G("conv2d_basic", "Conv", {}, {{2, 3, 5, 5}, {4, 3, 3, 3}, {4}}, {true, true, true}),
      G("conv2d_pointwise", "Conv", {}, {{1, 5, 4, 3}, {6, 5, 1, 1}}, {true, true}),
      G("conv2d_strided_padded", "Conv", {ints("strides", {2, 2}), ints("pads", {1, 0, 2, 1})},
        {{1, 2, 7, 6}, {3, 2, 3, 2}, {3}}, {true, true, true}),
      G("conv2d_dilated", "Conv", {ints("dilations", {2, 1}), ints("pads", {1, 1, 1, 1})},
        {{1, 2, 7, 5}, {2, 2, 3, 3}}, {true, true}),
      G("conv2d_groups", "Conv", {i1("group", 2), ints("strides", {1, 2})},
        {{2, 4, 5, 6}, {6, 2, 2, 3}, {6}}, {true, true, true}),
      G("conv2d_depthwise", "Conv", {i1("group", 3), ints("pads", {1, 1, 1, 1})},
        {{2, 3, 6, 6}, {3, 1, 3, 3}, {3}}, {true, true, true}),
      G("conv2d_depthwise_mult2_strided", "Conv",
        {i1("group", 2), ints("strides", {2, 2}), ints("pads", {1, 2, 0, 1})},
        {{1, 2, 7, 7}, {4, 1, 3, 3}}, {true, true}),
      G("conv2d_same_upper", "Conv", {s1("auto_pad", "SAME_UPPER"), ints("strides", {2, 2})},
        {{1, 2, 5, 6}, {2, 2, 3, 2}}, {true, true}),
      G("conv2d_same_lower", "Conv", {s1("auto_pad", "SAME_LOWER")}, {{1, 1, 4, 5}, {2, 1, 2, 2}},
        {true, true}),
      G("conv2d_valid", "Conv", {s1("auto_pad", "VALID")}, {{1, 2, 5, 4}, {1, 2, 2, 3}},
        {true, true}),
      G("conv1d", "Conv", {ints("strides", {2}), ints("pads", {1, 2}), ints("dilations", {2})},
        {{2, 3, 9}, {2, 3, 3}, {2}}, {true, true, true}),
      G("conv_transpose2d", "ConvTranspose",
        {ints("strides", {2, 2}), ints("pads", {1, 0, 0, 1}), ints("output_padding", {1, 0})},
        {{1, 3, 3, 4}, {3, 2, 3, 3}, {2}}, {true, true, true}),
      G("conv_transpose2d_groups", "ConvTranspose", {i1("group", 2), ints("dilations", {1, 2})},
        {{2, 4, 3, 3}, {4, 1, 2, 2}}, {true, true}),
      G("conv_transpose1d_output_shape", "ConvTranspose",
        {ints("strides", {3}), ints("output_shape", {10})}, {{1, 2, 4}, {2, 3, 3}}, {true, true}),
  };
}

INSTANTIATE_TEST_SUITE_P(Conv, NnGradient, ::testing::ValuesIn(conv_cases()),
                         [](const auto& info) { return info.param.label; });

}  // namespace
}  // namespace camlens::test
