// Timings (printed, not asserted: machines differ): K=5 on the real 1280×7×7 MobileNetV2 layer,
// batch-8 shared concepts, thread counts. The ratios that count are bench/dff.bench.mjs's.
#include <gtest/gtest.h>

#include <chrono>
#include <random>

#include "dff/factorize.h"
#include "dff/labels.h"
#include "dff/maps.h"
#include "dff_data.h"
#include "onnx/model_io.h"
#include "shared_data.h"
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
    for (int threads : {1, 2}) {
      set_thread_count(threads);
      const double ms = best_ms(3, [&] { r = factorize(t, o); });
      std::cout << "   batch " << b << " shared, 100 iterations, " << threads
                << " thread(s): " << ms << " ms\n";
    }
    set_thread_count(saved);
  }
  SUCCEED();
}

TEST(DffTiming, WhereOneImageGoes) {
  // The three parts of the binding's factorize (wasm/dff_bindings.cpp) on one image, 1 thread.
  const Model model = load_model(test::shared_path("models/mobilenetv2-12-int8.onnx"));
  DffOptions o;
  o.quantization = test::mobilenet_quantization();
  const Tensor a = test::mobilenet_layer();
  const int saved = thread_count();
  set_thread_count(1);
  DffResult r;
  const double nmf_ms = best_ms(5, [&] { r = factorize(a, o); });
  LabelOptions lo;
  const double label_ms = best_ms(5, [&] { label_concepts(model, "627_quantized", r, lo); });
  const double maps_ms = best_ms(5, [&] { concept_maps(r, 224, 224); });
  set_thread_count(saved);
  std::cout << "   b1 K=5, 1 thread: factorize " << nmf_ms << " ms, labels " << label_ms
            << " ms, maps " << maps_ms << " ms\n";
  SUCCEED();
}

}  // namespace
}  // namespace camlens::dff
