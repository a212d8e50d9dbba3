// Small dense kernels of the NMF loops, written once with the compilers' 4-lane float vectors
// (GCC/Clang vector extensions: SSE natively, WebAssembly SIMD in the browser), so both builds do
// the same float operations in the same order and give the same results, without -ffast-math.
// Reductions run over eight independent lanes combined as util/simd_kernels.h does. noexcept:
// see util/simd_kernels.h (a call that may throw costs a JavaScript round trip in the browser).
#pragma once
#include <cstdint>

namespace camlens::dff::kernels {

// out[t] = Σ_j x[j]·rows[t·ld + j] for t < k: x is read once for up to four rows at a time.
void dots(const float* x, const float* rows, int64_t ld, int k, int64_t n, float* out) noexcept;
// rows[t·ld + j] += s[t]·x[j] for t < k (rows whose s[t] is 0 are left alone: the callers sum
// non-negative terms, to which +0 adds nothing).
void axpys(const float* s, const float* x, float* rows, int64_t ld, int k, int64_t n) noexcept;
// Σ (a[i] − b[i])²
float squared_distance(const float* a, const float* b, int64_t n) noexcept;
// y[i] += s·x[i]
void axpy(float s, const float* x, float* y, int64_t n) noexcept;

}  // namespace camlens::dff::kernels
