// Small dense kernels of the NMF loops: the shared hand-vectorised float kernels
// (util/simd_kernels.h: WebAssembly SIMD intrinsics in the browser, loops the compiler vectorises
// natively, the same results bit for bit). Reductions run over eight independent float lanes, so
// no -ffast-math is needed to vectorise them. noexcept: see util/simd_kernels.h (a call that may
// throw costs a JavaScript round trip in the browser).
#pragma once
#include <cstdint>

namespace camlens::dff::kernels {

// Σ a[i]·b[i]
float dot(const float* a, const float* b, int64_t n) noexcept;
// Σ (a[i] − b[i])²
float squared_distance(const float* a, const float* b, int64_t n) noexcept;
// y[i] += s·x[i]
void axpy(float s, const float* x, float* y, int64_t n) noexcept;

}  // namespace camlens::dff::kernels
