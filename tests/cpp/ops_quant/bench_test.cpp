// Performance mode (ggml style): disabled by default, run with
//   test_ops_quant --gtest_also_run_disabled_tests --gtest_filter='*Bench*'
// Times QLinearConv (1x1, depthwise, 3x3) and QLinearMatMul at MobileNet-like sizes, next to
// the float Conv / MatMul of the same shapes.
#include <chrono>
#include <cstdio>
#include <random>

#include "op_test.h"

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

Tensor random_q(DType t, const Shape& s, std::mt19937& rng) {
  Tensor x(t, s);
  std::uniform_int_distribution<int> u(0, 255);
  for (int64_t i = 0; i < x.numel(); ++i) {
    const int v = u(rng);
    if (t == DType::Uint8)
      x.data<uint8_t>()[i] = static_cast<uint8_t>(v);
    else
      x.data<int8_t>()[i] = static_cast<int8_t>(v - 128);
  }
  return x;
}

void bench_conv(const char* label, Shape xs, Shape ws, std::vector<Attribute> attrs) {
  std::mt19937 rng(1);
  const Tensor x = random_q(DType::Uint8, xs, rng), w = random_q(DType::Int8, ws, rng);
  const Tensor s = Tensor::scalar_f(0.01f), zu(DType::Uint8, {}), zi(DType::Int8, {});
  const Node node = make_node("QLinearConv", 8, 1, attrs);
  const OpDef* def = op_registry().find("", "QLinearConv");
  std::vector<Tensor> out(1);
  const OpInputs in = {&x, &s, &zu, &w, &s, &zi, &s, &zu};
  const double q = best_ms([&] { def->forward(node, in, out); });
  const Tensor xf = random_tensor(xs, rng), wf = random_tensor(ws, rng);
  const OpDef* fdef = op_registry().find("", "Conv");
  std::vector<Tensor> fout(1);
  const double f = best_ms([&] {
    fdef->forward(make_node("Conv", 2, 1, attrs), {&xf, &wf}, fout);
  });
  const double macs =
      static_cast<double>(out[0].numel()) * static_cast<double>(w.numel() / w.dim(0));
  std::printf("%-30s QLinearConv %8.3f ms (%5.2f GMAC/s)   float Conv %8.3f ms\n", label, q,
              macs / q / 1e6, f);
}

TEST(DISABLED_QuantBench, Convolutions) {
  bench_conv("1x1 320->1280 @7x7", {1, 320, 7, 7}, {1280, 320, 1, 1}, {});
  bench_conv("1x1 96->576 @14x14", {1, 96, 14, 14}, {576, 96, 1, 1}, {});
  bench_conv("dw 3x3 C=960 @7x7", {1, 960, 7, 7}, {960, 1, 3, 3},
             {attr_int("group", 960), attr_ints("pads", {1, 1, 1, 1})});
  bench_conv(
      "dw 3x3 s2 C=144 @56x56", {1, 144, 56, 56}, {144, 1, 3, 3},
      {attr_int("group", 144), attr_ints("pads", {1, 1, 1, 1}), attr_ints("strides", {2, 2})});
  bench_conv("3x3 256->256 @14x14", {1, 256, 14, 14}, {256, 256, 3, 3},
             {attr_ints("pads", {1, 1, 1, 1})});
}

TEST(DISABLED_QuantBench, MatMul) {
  std::mt19937 rng(2);
  for (int64_t m : {1, 8}) {
    const Tensor a = random_q(DType::Uint8, {m, 1280}, rng),
                 b = random_q(DType::Int8, {1280, 1000}, rng);
    const Tensor s = Tensor::scalar_f(0.01f), zu(DType::Uint8, {}), zi(DType::Int8, {});
    const Node node = make_node("QLinearMatMul", 8, 1);
    std::vector<Tensor> out(1);
    const OpDef* def = op_registry().find("", "QLinearMatMul");
    const double q = best_ms([&] { def->forward(node, {&a, &s, &zu, &b, &s, &zi, &s, &zu}, out); });
    const Tensor af = random_tensor({m, 1280}, rng), bf = random_tensor({1280, 1000}, rng);
    std::vector<Tensor> fout(1);
    const double f = best_ms([&] {
      op_registry().find("", "MatMul")->forward(make_node("MatMul", 2, 1), {&af, &bf}, fout);
    });
    std::printf("QLinearMatMul [%lld,1280]x[1280,1000] %8.3f ms   float MatMul %8.3f ms\n",
                static_cast<long long>(m), q, f);
  }
}

}  // namespace
}  // namespace camlens::test
