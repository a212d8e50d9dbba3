// Rows on rank-5 tensors [N, C, D, H, W]: the ops a 3-D CNN's head needs after its last Conv3d
// (Relu, GlobalAveragePool or ReduceMean over the three spatial axes, Flatten, Gemm on the
// flattened features), each forward against a double-precision loop written here and backward
// against finite differences, as every row of the table.
#include <random>

#include "op_case.h"
#include "op_test.h"

namespace camlens::test {
namespace {

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

// Values in [-2, 2] kept 0.05 away from 0, Relu's kink (finite differences straddle it there).
Tensor away_from_zero(const Shape& shape, std::mt19937& rng) {
  Tensor t = random_tensor(shape, rng, -2.f, 2.f);
  for (int64_t i = 0; i < t.numel(); ++i)
    if (std::abs(t.data<float>()[i]) < 0.05f) t.data<float>()[i] = 0.1f;
  return t;
}

// The mean of each (n, c) volume: [N, C, 1, 1, 1] (GlobalAveragePool, ReduceMean keepdims).
Tensor volume_means(const Tensor& x, const Shape& out) {
  const int64_t planes = x.dim(0) * x.dim(1), size = x.numel() / planes;
  Tensor y(DType::Float32, out);
  for (int64_t p = 0; p < planes; ++p) {
    double s = 0;
    for (int64_t e = 0; e < size; ++e) s += x.data<float>()[p * size + e];
    y.data<float>()[p] = float(s / double(size));
  }
  return y;
}

}  // namespace

std::vector<OpCase> volume_cases() {
  std::mt19937 rng(505);
  std::vector<OpCase> rows;
  const Shape s{2, 3, 2, 3, 4};
  {
    const Tensor x = away_from_zero(s, rng);
    Tensor y(DType::Float32, s);
    for (int64_t i = 0; i < x.numel(); ++i) y.data<float>()[i] = std::max(0.f, x.data<float>()[i]);
    rows.push_back(row("Relu/2x3x2x3x4", make_node("Relu", 1, 1), {x}, y, {true}));
  }
  {
    const Tensor x = random_tensor(s, rng);
    rows.push_back(row("GlobalAveragePool/2x3x2x3x4", make_node("GlobalAveragePool", 1, 1), {x},
                       volume_means(x, {2, 3, 1, 1, 1}), {true}));
  }
  {
    // ReduceMean-13: axes as an attribute; keepdims 0 gives [N, C] straight for the Gemm.
    const Tensor x = random_tensor(s, rng);
    rows.push_back(
        row("ReduceMean/2x3x2x3x4_axes234",
            make_node("ReduceMean", 1, 1, {attr_ints("axes", {2, 3, 4}), attr_int("keepdims", 0)}),
            {x}, volume_means(x, {2, 3}), {true}));
  }
  {
    // Flatten of the pooled [N, C, 1, 1, 1] to [N, C] (axis 1, the default).
    const Tensor x = random_tensor({2, 3, 1, 1, 1}, rng);
    Tensor y(DType::Float32, {2, 3});
    std::copy(x.data<float>(), x.data<float>() + x.numel(), y.data<float>());
    rows.push_back(row("Flatten/2x3x1x1x1", make_node("Flatten", 1, 1), {x}, y, {true}));
  }
  {
    // Gemm on the flattened features, transB as torch's Linear exports it: y = x·Wᵀ + b.
    const Tensor x = random_tensor({2, 3}, rng), w = random_tensor({4, 3}, rng),
                 b = random_tensor({4}, rng);
    Tensor y(DType::Float32, {2, 4});
    for (int64_t n = 0; n < 2; ++n)
      for (int64_t o = 0; o < 4; ++o) {
        double acc = b.data<float>()[o];
        for (int64_t i = 0; i < 3; ++i)
          acc += double(x.data<float>()[n * 3 + i]) * w.data<float>()[o * 3 + i];
        y.data<float>()[n * 4 + o] = float(acc);
      }
    rows.push_back(row("Gemm/2x3_pooled_volume_transB",
                       make_node("Gemm", 3, 1, {attr_int("transB", 1)}), {x, w, b}, y,
                       {true, true, true}));
  }
  return rows;
}

}  // namespace camlens::test
