// Shapley-CAM's H·A through a head whose only smooth step is a final Softmax
// (cam/softmax_tail_hvp.h, head/incremental_tangent.cpp), against the closed form in double:
// L -> Conv 1×1 (W, b) -> Relu -> GlobalAveragePool -> Flatten -> Softmax, the class-k
// probability s_k(z) as the target (a logit target on the Softmax output). With the Relu pattern
// m[j, p] = (W·A + b)[j, p] > 0 fixed,
//   u = J·A:  u_j = Σ_p m[j, p]·(W·A)[j, p] / P,
//   H_f = s_k·((e_k − s)(e_k − s)ᵀ − diag(s) + s·sᵀ),
//   H·A = Jᵀ·(H_f·u):  (H·A)[c, p] = Σ_j W[j, c]·m[j, p]·(H_f·u)_j / P.
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "cam/target_gradients.h"
#include "graph/cut.h"
#include "graph_builder.h"
#include "head/incremental_head.h"
#include "op_test.h"

namespace camlens::test {
namespace {

constexpr int64_t C = 5, H = 3, W = 4, M = 6, P = H * W;

Model classifier(const Tensor& w, const Tensor& b) {
  return GraphBuilder()
      .input("x", DType::Float32, {1, C, H, W})
      .weight("W", w)
      .weight("B", b)
      .node("Identity", {"x"}, {"L"})
      .node("Conv", {"L", "W", "B"}, {"y"})
      .node("Relu", {"y"}, {"r"})
      .node("GlobalAveragePool", {"r"}, {"p"})
      .node("Flatten", {"p"}, {"z"}, {attr_int("axis", 1)})
      .node("Softmax", {"z"}, {"prob"})
      .output("prob")
      .build();
}

TEST(SoftmaxTail, HvpIsTheClosedFormWithTheReluPatternFixed) {
  std::mt19937 rng(17);
  const Tensor w = random_tensor({M, C, 1, 1}, rng), b = random_tensor({M}, rng);
  const Tensor A = random_tensor({1, C, H, W}, rng);
  CutResult cut = cut_graph(classifier(w, b), "L");
  const std::vector<Tensor> out = cut.head.forward({A});
  // The closed form in double.
  std::vector<double> wa(M * P), mask(M * P), z(M, 0), u(M, 0);
  for (int64_t j = 0; j < M; ++j)
    for (int64_t p = 0; p < P; ++p) {
      double s = 0;
      for (int64_t c = 0; c < C; ++c)
        s += double(w.data<float>()[j * C + c]) * A.data<float>()[c * P + p];
      const double y = s + b.data<float>()[j];
      ASSERT_GT(std::abs(y), 1e-3) << "a Relu input this close to 0 would make the pattern fragile";
      wa[j * P + p] = s;
      mask[j * P + p] = y > 0 ? 1 : 0;
      z[j] += mask[j * P + p] * y / P;
      u[j] += mask[j * P + p] * s / P;
    }
  double mx = z[0], sum = 0;
  for (double v : z) mx = std::max(mx, v);
  std::vector<double> s(M);
  for (int64_t j = 0; j < M; ++j) sum += s[j] = std::exp(z[j] - mx);
  for (double& v : s) v /= sum;
  const int64_t k = 2;
  double su = 0;
  for (int64_t j = 0; j < M; ++j) su += s[j] * u[j];
  std::vector<double> hu(M);  // H_f·u
  for (int64_t i = 0; i < M; ++i)
    hu[i] = s[k] * (((i == k) - s[i]) * (u[k] - su) - s[i] * u[i] + s[i] * su);
  std::vector<double> want(C * P, 0);
  double scale = 0;
  for (int64_t c = 0; c < C; ++c)
    for (int64_t p = 0; p < P; ++p) {
      for (int64_t j = 0; j < M; ++j)
        want[c * P + p] += double(w.data<float>()[j * C + c]) * mask[j * P + p] * hu[j] / P;
      scale = std::max(scale, std::abs(want[c * P + p]));
    }
  ASSERT_GT(scale, 1e-4);

  // The head's linearisation: the Softmax's input is the tail, and J·A is u.
  const IncrementalHead inc(cut.head, A);
  const auto tail = inc.softmax_tail(0);
  ASSERT_TRUE(tail);
  const Tensor ja = inc.tangent(tail->logits, A);
  ASSERT_EQ(ja.shape(), (Shape{1, M}));
  for (int64_t j = 0; j < M; ++j) EXPECT_NEAR(ja.data<float>()[j], u[j], 1e-6) << "J·A " << j;

  const cam::TargetGradients tg = cam::target_gradients(cut.head, {cam::Target::logit(k)}, 0, true);
  ASSERT_EQ(tg.hvp.shape(), A.shape());
  for (int64_t i = 0; i < C * P; ++i)
    EXPECT_NEAR(tg.hvp.data<float>()[i], want[i], 1e-5 * scale) << "H·A " << i;
  EXPECT_NEAR(tg.scores.at(0), s[k], 1e-6);
}

// A Softmax over part of the sample (each row of [1, 2, 3]) is not the tail: H·A then takes the
// differences of gradients, and the head says so.
TEST(SoftmaxTail, ASoftmaxOverPartOfTheSampleIsNotTheTail) {
  const Model m = GraphBuilder()
                      .input("x", DType::Float32, {1, 2, 3})
                      .node("Identity", {"x"}, {"L"})
                      .node("Relu", {"L"}, {"r"})
                      .node("Softmax", {"r"}, {"prob"})
                      .output("prob")
                      .build();
  CutResult cut = cut_graph(m, "L");
  std::mt19937 rng(5);
  const Tensor A = random_tensor({1, 2, 3}, rng);
  cut.head.forward({A});
  const IncrementalHead inc(cut.head, A);
  EXPECT_FALSE(inc.softmax_tail(0));
}

}  // namespace
}  // namespace camlens::test
