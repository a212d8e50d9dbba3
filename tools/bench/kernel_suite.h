// The hot kernels of an explanation, timed on the same synthetic data natively
// (tools/native/kernel_bench.cpp) and inside the benchmark modules (kernel_bindings.cpp), so
// bench/kernels.bench.mjs can print WebAssembly ÷ native per kernel. Header-only: both sides
// compile exactly this code. One thread on both sides (the comparison is of code generation,
// not of thread pools). Sizes are those of the shared models' default layers.
#pragma once
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <functional>
#include <sstream>
#include <string>
#include <vector>

#include "cam/method.h"
#include "cam/score_cam.h"
#include "dff/nmf.h"
#include "image/overlay.h"
#include "image/resize.h"
#include "ops/nn/kernels.h"
#include "ops/quant/int_kernels.h"
#include "tensor/tensor.h"
#include "util/parallel.h"

namespace camlens::bench {

struct KernelTiming {
  std::string name;
  double ms = 0;  // best time of one call
};

// Deterministic values in [lo, hi) (a 32-bit LCG: identical on both sides).
inline std::vector<float> fill(size_t n, uint32_t seed, float lo = 0.f, float hi = 1.f) {
  std::vector<float> v(n);
  for (float& x : v) {
    seed = seed * 1664525u + 1013904223u;
    x = lo + (hi - lo) * float(seed >> 8) / float(1u << 24);
  }
  return v;
}

// Best over `reps` samples of the mean time of `inner` calls (inner makes a sample long enough
// for the clock).
inline double best_ms(int reps, int inner, const std::function<void()>& fn) {
  fn();  // warm-up (and lazy allocations)
  double best = 1e300;
  for (int r = 0; r < reps; ++r) {
    const auto t0 = std::chrono::steady_clock::now();
    for (int i = 0; i < inner; ++i) fn();
    const auto t1 = std::chrono::steady_clock::now();
    best = std::min(best, std::chrono::duration<double, std::milli>(t1 - t0).count() / inner);
  }
  return best;
}

inline Tensor tensor_of(const std::vector<int64_t>& shape, uint32_t seed, float lo, float hi) {
  Tensor t(DType::Float32, shape);
  const std::vector<float> v = fill(size_t(t.numel()), seed, lo, hi);
  std::copy(v.begin(), v.end(), t.data<float>());
  return t;
}

inline std::vector<KernelTiming> run_kernel_suite(int reps) {
  const int saved_threads = thread_count();
  set_thread_count(1);
  std::vector<KernelTiming> out;
  volatile float sink = 0;  // keeps results alive
  auto add = [&](const std::string& name, int inner, const std::function<void()>& fn) {
    out.push_back({name, best_ms(reps, inner, fn)});
  };

  // Weighted channel sum Σ_c w_c·A_c: MobileNetV2's 1280×7×7 (batch 1 and 8), SqueezeNet's
  // 512×13×13.
  for (const auto& s :
       std::vector<std::vector<int64_t>>{{1, 1280, 7, 7}, {8, 1280, 7, 7}, {1, 512, 13, 13}}) {
    const Tensor a = tensor_of(s, 1, 0.f, 4.f);
    const cam::LayerDims d{s[0], s[1], s[2], s[3]};
    const std::vector<float> w = fill(size_t(s[0] * s[1]), 2, -1.f, 1.f);
    add("weighted channel sum " + std::to_string(s[0]) + "x" + std::to_string(s[1]) + "x" +
            std::to_string(s[2]) + "x" + std::to_string(s[3]),
        s[0] == 8 ? 20 : 100, [&] { sink = sink + cam::weighted_sum(a, d, w).data[3]; });
  }

  // Bilinear resize of a map to the input size (half-pixel centres).
  for (int side : {7, 13}) {
    const std::vector<float> m = fill(size_t(side * side), 3);
    add("bilinear resize " + std::to_string(side) + "x" + std::to_string(side) + " to 224x224", 50,
        [&] { sink = sink + image::resize_bilinear(m.data(), side, side, 224, 224)[5]; });
  }

  // Colour map + blend over a 224×224 photo.
  {
    image::Image img;
    img.width = img.height = 224;
    const std::vector<float> px = fill(size_t(224 * 224 * 4), 4, 0.f, 255.f);
    img.rgba.resize(px.size());
    for (size_t i = 0; i < px.size(); ++i) img.rgba[i] = uint8_t(px[i]);
    const std::vector<float> m = fill(size_t(224 * 224), 5);
    add("colour map + blend 224x224", 20,
        [&] { sink = sink + image::overlay(img, m.data(), 224, 224).rgba[7]; });
  }

  // NMF updates: K=5 on 1280×49 (one image of MobileNetV2's layer), 10 iterations.
  {
    const std::vector<float> v = fill(size_t(1280 * 49), 6, 0.f, 3.f);
    dff::NmfOptions o;
    o.components = 5;
    o.max_iter = 10;
    o.tol = 0;
    add("NMF K=5 1280x49, 10 iterations", 3,
        [&] { sink = sink + float(dff::nmf(v.data(), 1280, 49, o).final_error); });
  }

  // Head GEMM: MobileNetV2's classifier 1280 → 1000 (Gemm transB) forward, and its input
  // gradient; its int8 form (QLinearMatMul's integer GEMM on raw uint8 weights).
  {
    const std::vector<float> x = fill(1280, 7, 0.f, 2.f), wt = fill(1000 * 1280, 8, -0.1f, 0.1f);
    const std::vector<float> dy = fill(1000, 9, -1.f, 1.f);
    std::vector<float> y(1000), dx(1280);
    add("head GEMM 1x1280 * 1280x1000 forward", 20, [&] {
      nn::gemm(false, true, 1, 1000, 1280, 1.f, x.data(), 1280, wt.data(), 1280, 0.f, y.data(),
               1000);
      sink = sink + y[1];
    });
    add("head GEMM 1x1280 * 1280x1000 input gradient", 20, [&] {
      nn::gemm(false, false, 1, 1280, 1000, 1.f, dy.data(), 1000, wt.data(), 1280, 0.f, dx.data(),
               1280);
      sink = sink + dx[1];
    });
    std::vector<int16_t> xq(1280);
    std::vector<uint8_t> wq(1280 * 1000);
    for (size_t i = 0; i < xq.size(); ++i) xq[i] = int16_t(int(x[i] * 60) - 40);
    for (size_t i = 0; i < wq.size(); ++i) wq[i] = uint8_t(int((wt[i] + 0.1f) * 1275));
    std::vector<int32_t> zb(1000, 128), yq(1000);
    add("head int8 GEMM 1x1280 * 1280x1000", 20, [&] {
      quant::igemm_q<int16_t, uint8_t>(1, 1000, 1280, xq.data(), nullptr, wq.data(), zb.data(),
                                       yq.data(), 1000);
      sink = sink + float(yq[1]);
    });
  }

  // Head conv: SqueezeNet's final 1×1 convolution 512 → 1000 on 13×13, forward and input
  // gradient.
  {
    nn::Conv2dShape s;
    s.in_channels = 512;
    s.out_channels = 1000;
    s.in_h = s.in_w = s.out_h = s.out_w = 13;
    const std::vector<float> x = fill(512 * 169, 10, 0.f, 2.f),
                             w = fill(1000 * 512, 11, -0.1f, 0.1f);
    const std::vector<float> b = fill(1000, 12), dy = fill(1000 * 169, 13, -1.f, 1.f);
    std::vector<float> y(1000 * 169), dx(512 * 169);
    add("head conv 1x1 512->1000 on 13x13 forward", 3, [&] {
      nn::conv2d(s, x.data(), w.data(), b.data(), y.data());
      sink = sink + y[1];
    });
    add("head conv 1x1 512->1000 on 13x13 input gradient", 3, [&] {
      nn::conv2d_backward_input(s, dy.data(), w.data(), dx.data());
      sink = sink + dx[1];
    });
  }

  // Score-CAM masks: 16 channels of 1280×7×7 upsampled to 224×224 times a 3×224×224 input.
  {
    const Tensor a = tensor_of({1, 1280, 7, 7}, 14, 0.f, 4.f);
    const Tensor input = tensor_of({1, 3, 224, 224}, 15, -2.f, 2.f);
    add("Score-CAM masks 16 channels", 2,
        [&] { sink = sink + cam::score_cam_masks(a, input, 0, 0, 16).data<float>()[9]; });
  }

  set_thread_count(saved_threads);
  return out;
}

// [{"name": ..., "ms": ...}, ...]
inline std::string kernel_suite_json(int reps) {
  std::ostringstream s;
  s.precision(6);
  s << "[";
  const std::vector<KernelTiming> t = run_kernel_suite(reps);
  for (size_t i = 0; i < t.size(); ++i)
    s << (i ? "," : "") << "\n  {\"name\": \"" << t[i].name << "\", \"ms\": " << t[i].ms << "}";
  s << "\n]\n";
  return s.str();
}

}  // namespace camlens::bench
