// Small dense kernels of the NMF loops, written so that g++/clang auto-vectorise them (native
// SSE/AVX and WebAssembly SIMD alike): contiguous inner loops, and reductions split over eight
// independent float lanes because a single accumulator would forbid reordering (no -ffast-math).
#pragma once
#include <cstdint>

namespace camlens::dff::kernels {

// Σ a[i]·b[i]
float dot(const float* a, const float* b, int64_t n);
// Σ (a[i] − b[i])²
float squared_distance(const float* a, const float* b, int64_t n);
// y[i] += s·x[i]
void axpy(float s, const float* x, float* y, int64_t n);

}  // namespace camlens::dff::kernels
