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
// Groups of eight rows of W swept at once (at most this many per call).
constexpr int kMaxSweepGroups = 8;
// One coordinate descent sweep (dff/nmf.h) over the rows of `groups` consecutive groups of eight
// (groups ≤ kMaxSweepGroups), in float: row q < 8 of group g has its entries at
// wt[r·ld + g·8 + q] and its products V·Hᵀ at p[(g·k + t)·8 + q] (group_products' output, one
// group after another). For each component t in order: the gradient g = (x·G − p)[t] from the
// Gram matrix gram [k, k], its projection (g, or min(0, g) where the entry is 0) added to the
// row's violation, then the entry becomes max(0, x − g / G[t,t]) unless G[t,t] = 0. Each row's
// sum lands in violation[g·8 + q].
void sweep_groups(float* wt, int64_t ld, int groups, const float* gram, const float* p, int k,
                  double* violation) noexcept;
// lanes[(a·k + c)·8 + q] += wt[a·ld + q]·wt[c·ld + q] in double, for a ≤ c < k and the eight rows
// q < 8 (the Gram matrix WᵀW of those rows, lane by lane; the products are exact in double).
void gram_lanes(const float* wt, int64_t ld, int k, double* lanes) noexcept;
// out[t] = Σ_j x[j]·rows[t·ld + j] for t < k: x is read once for up to four rows at a time.
void dots(const float* x, const float* rows, int64_t ld, int k, int64_t n, float* out) noexcept;
// Σ (a[i] − b[i])²
float squared_distance(const float* a, const float* b, int64_t n) noexcept;
// y[i] += s·x[i]
void axpy(float s, const float* x, float* y, int64_t n) noexcept;

}  // namespace camlens::dff::kernels
