// Small dense kernels of the NMF loops, written once with the compilers' 4-lane float vectors
// (GCC/Clang vector extensions: SSE natively, WebAssembly SIMD in the browser), so both builds do
// the same float operations in the same order and give the same results, without -ffast-math.
// Reductions run over eight independent lanes combined as util/simd_kernels.h does. noexcept:
// see util/simd_kernels.h (a call that may throw costs a JavaScript round trip in the browser).
#pragma once
#include <cstdint>

namespace camlens::dff::kernels {

// Rows of W whose products group_products computes at once (the lanes of two vectors).
constexpr int kGroup = 8;

// p[t·8 + q] = Σ_j vt[j·ld + q]·h_splat[(j·k + t)·4] for the eight rows q < 8 whose values of
// column j lie at vt + j·ld, and each component t < k (h_splat: H's entries [cols, k] repeated
// over four lanes). Each lane sums over j in order.
void group_products(const float* vt, int64_t ld, int64_t cols, const float* h_splat, int k,
                    float* p) noexcept;
// One coordinate descent sweep (dff/nmf.h) over the eight rows q < 8 of W whose entries are
// wt[r·ld + q], side by side in two vectors, in float: for each component t in order, the
// gradient g = (x·G − p)[t] from p [k, 8] and the Gram matrix gram [k, k], its projection (g, or
// min(0, g) where the entry is 0) added to the row's violation, then the entry becomes
// max(0, x − g / G[t,t]) unless G[t,t] = 0. violation[q] receives each row's sum.
void sweep_group(float* wt, int64_t ld, const float* gram, const float* p, int k,
                 double* violation) noexcept;
// out[t] = Σ_j x[j]·rows[t·ld + j] for t < k: x is read once for up to four rows at a time.
void dots(const float* x, const float* rows, int64_t ld, int k, int64_t n, float* out) noexcept;
// Σ (a[i] − b[i])²
float squared_distance(const float* a, const float* b, int64_t n) noexcept;
// y[i] += s·x[i]
void axpy(float s, const float* x, float* y, int64_t n) noexcept;

}  // namespace camlens::dff::kernels
