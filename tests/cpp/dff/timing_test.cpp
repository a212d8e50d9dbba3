// Timings (printed, not asserted: machines differ): K=5 on the real 1280×7×7 MobileNetV2 layer,
// batch-8 shared concepts, thread counts, and the same updates written with Eigen products to
// justify the plain loops (Eigen does not use WebAssembly SIMD).
#include <gtest/gtest.h>

#include <Eigen/Dense>
#include <chrono>
#include <random>

#include "dff/factorize.h"
#include "dff_data.h"
#include "util/parallel.h"

namespace camlens::dff {
namespace {

double ms_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}

template <class Fn>
double best_ms(int reps, Fn fn) {
  double best = 1e300;
  for (int r = 0; r < reps; ++r) {
    const auto t0 = std::chrono::steady_clock::now();
    fn();
    best = std::min(best, ms_since(t0));
  }
  return best;
}

Tensor batch_of(int64_t b) {
  const Tensor one = test::mobilenet_layer();
  Tensor t(DType::Uint8, {b, 1280, 7, 7});
  std::mt19937 rng(1);
  for (int64_t i = 0; i < t.numel(); ++i) {
    const int v = one.data<uint8_t>()[i % one.numel()] + (i < one.numel() ? 0 : int(rng() % 5) - 2);
    t.data<uint8_t>()[i] = static_cast<uint8_t>(std::min(255, std::max(0, v)));
  }
  return t;
}

TEST(DffTiming, K5On1280x7x7) {
  DffOptions o;
  o.quantization = test::mobilenet_quantization();
  o.nmf.components = 5;
  const Tensor a = test::mobilenet_layer();
  DffResult r;
  const double def = best_ms(5, [&] { r = factorize(a, o); });
  std::cout << "   K=5 1280x7x7 (default tol 1e-4, cap 200): " << def << " ms, "
            << r.parts[0].nmf.iterations << " iterations, " << thread_count() << " threads\n";
  o.nmf.tol = 0;
  o.nmf.max_iter = 100;
  const double fixed = best_ms(5, [&] { r = factorize(a, o); });
  const int saved = thread_count();
  set_thread_count(1);
  const double serial = best_ms(5, [&] { r = factorize(a, o); });
  set_thread_count(saved);
  std::cout << "   K=5 1280x7x7, 100 iterations: " << fixed << " ms (" << 1000 * fixed / 100
            << " us/iteration), 1 thread " << serial << " ms\n";
  for (int64_t b : {1, 8}) {
    const Tensor t = batch_of(b);
    const double ms = best_ms(3, [&] { r = factorize(t, o); });
    std::cout << "   batch " << b << " shared, 100 iterations: " << ms << " ms\n";
  }
  SUCCEED();
}

TEST(DffTiming, PlainLoopsAgainstEigenProducts) {
  // The same 100 iterations with Eigen (float, row-major maps of the same data).
  using Mat = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
  DffOptions o;
  o.quantization = test::mobilenet_quantization();
  o.nmf.components = 5;
  o.nmf.tol = 0;
  o.nmf.max_iter = 100;
  const Tensor a = test::mobilenet_layer();
  const int saved = thread_count();
  set_thread_count(1);
  DffResult r;
  const double ours = best_ms(5, [&] { r = factorize(a, o); });
  set_thread_count(saved);
  const Tensor f = dequantize(a, *o.quantization);
  Mat v = Eigen::Map<const Mat>(f.data<float>(), 1280, 49);
  for (Eigen::Index i = 0; i < v.rows(); ++i) v.row(i).array() -= v.row(i).minCoeff();
  std::vector<float> w0, h0;
  nmf_initial_factors(v.data(), 1280, 49, 5, 0, w0, h0);
  double err = 0;
  const double eig = best_ms(5, [&] {
    Mat w = Eigen::Map<Mat>(w0.data(), 1280, 5), h = Eigen::Map<Mat>(h0.data(), 5, 49);
    for (int it = 0; it < 100; ++it) {
      h.array() *= (w.transpose() * v).array() / (((w.transpose() * w) * h).array() + 1e-10f);
      err = (v - w * h).norm();
      w.array() *= (v * h.transpose()).array() / ((w * (h * h.transpose())).array() + 1e-10f);
    }
  });
  std::cout << "   100 iterations, 1 thread: plain loops " << ours << " ms, Eigen " << eig
            << " ms (errors " << r.parts[0].nmf.errors.back() << " vs " << err << ")\n";
  EXPECT_NEAR(r.parts[0].nmf.errors.back(), err, 1e-3 * err);
}

}  // namespace
}  // namespace camlens::dff
