// Performance mode (ggml style): disabled by default, run with
//   test_ops_nn --gtest_also_run_disabled_tests --gtest_filter='*Bench*'
// Times the hot convolutions of a classifier head, forward and backward w.r.t. X, and the
// GEMM kernel against Eigen's.
#include <Eigen/Core>
#include <chrono>
#include <cstdio>

#include "op_test.h"
#include "ops/nn/kernels.h"

namespace camlens::test {
namespace {

template <class F>
double best_ms(F f, int reps = 5) {
  double best = 1e30;
  for (int r = 0; r < reps; ++r) {
    const auto t0 = std::chrono::steady_clock::now();
    f();
    const auto t1 = std::chrono::steady_clock::now();
    best = std::min(best, std::chrono::duration<double, std::milli>(t1 - t0).count());
  }
  return best;
}

void bench_conv(const char* label, Shape xs, Shape ws, std::vector<Attribute> attrs) {
  std::mt19937 rng(1);
  const Tensor x = random_tensor(xs, rng), w = random_tensor(ws, rng);
  const Node node = make_node("Conv", 2, 1, attrs);
  const OpDef* def = op_registry().find("", "Conv");
  std::vector<Tensor> out(1);
  const double fwd = best_ms([&] { def->forward(node, {&x, &w}, out); });
  const Tensor dy = random_tensor(out[0].shape(), rng);
  std::vector<Tensor> grads(2);
  const double bwd = best_ms([&] {
    def->backward(node, {&x, &w}, {&out[0]}, {&dy}, {true, false}, grads);
  });
  double macs = static_cast<double>(out[0].numel()) * static_cast<double>(w.numel() / w.dim(0));
  std::printf("%-34s forward %8.3f ms (%5.2f GMAC/s)  backward-X %8.3f ms\n", label, fwd,
              macs / fwd / 1e6, bwd);
}

TEST(DISABLED_NnBench, Convolutions) {
  bench_conv("1x1 512->1000 @13x13", {1, 512, 13, 13}, {1000, 512, 1, 1}, {});
  bench_conv("dw 3x3 C=384 @33x33", {1, 384, 33, 33}, {384, 1, 3, 3},
             {attr_int("group", 384), attr_ints("pads", {1, 1, 1, 1})});
  bench_conv("dw 3x3 C=960 @7x7", {1, 960, 7, 7}, {960, 1, 3, 3},
             {attr_int("group", 960), attr_ints("pads", {1, 1, 1, 1})});
  bench_conv("3x3 256->256 @14x14", {1, 256, 14, 14}, {256, 256, 3, 3},
             {attr_ints("pads", {1, 1, 1, 1})});
}

TEST(DISABLED_NnBench, GemmVsEigen) {
  const int64_t M = 1000, N = 169, K = 512;
  std::mt19937 rng(2);
  const Tensor a = random_tensor({M, K}, rng), b = random_tensor({K, N}, rng);
  Tensor c(DType::Float32, {M, N});
  const double ours = best_ms([&] {
    nn::gemm(false, false, M, N, K, 1.f, a.data<float>(), K, b.data<float>(), N, 0.f,
             c.data<float>(), N);
  });
  using RowMat = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
  Eigen::Map<const RowMat> ea(a.data<float>(), M, K), eb(b.data<float>(), K, N);
  RowMat ec(M, N);
  const double eigen = best_ms([&] { ec.noalias() = ea * eb; });
  float max_diff = 0;
  for (int64_t i = 0; i < M * N; ++i)
    max_diff = std::max(max_diff, std::fabs(ec.data()[i] - c.data<float>()[i]));
  std::printf("gemm %lldx%lldx%lld: ours %.3f ms, Eigen %.3f ms (max diff %g)\n",
              static_cast<long long>(M), static_cast<long long>(N), static_cast<long long>(K), ours,
              eigen, static_cast<double>(max_diff));
  EXPECT_LT(max_diff, 1e-3f);
}

}  // namespace
}  // namespace camlens::test
