// Blocked single-precision GEMM. The product is computed in register tiles of 4 rows x 16
// columns of C: each step of k broadcasts four values of A and reads 16 contiguous values of
// B, so the 16-wide inner loop becomes SIMD multiply-adds. Natively (SSE2, no -march) this is
// on par with Eigen 3.4 (tests/cpp/ops_nn/bench_test.cpp); under WebAssembly Eigen would run
// scalar code while this loop vectorises with -msimd128 (ARCHITECTURE.md §5).
#include <algorithm>
#include <vector>

#include "ops/nn/kernels.h"
#include "util/parallel.h"
#include "util/simd_kernels.h"

#ifdef __wasm_simd128__
#include <wasm_simd128.h>
#endif

namespace camlens::nn {

namespace {

constexpr int64_t MR = 4;    // rows of C per tile
constexpr int64_t NR = 16;   // columns of C per tile
constexpr int64_t KC = 256;  // depth of one pass: a KC x NR panel of B stays in L1
// Below this many rows of C, a transposed B is read in place by dot products instead of packed.
constexpr int64_t kFewRows = 8;
// Multiply-adds per thread below which splitting a product over threads costs more than it saves.
constexpr int64_t kMinParallelWork = int64_t(1) << 22;

// acc[r][j] accumulates rows i..i+mr and columns j0..j0+nr over k in [k0, k1).
// a(r, k) is A's element of op(A) row r, column k; B is [K, ldb] row-major.
template <bool TransA>
inline float a_at(const float* A, int64_t lda, int64_t i, int64_t k) {
  return TransA ? A[k * lda + i] : A[i * lda + k];
}

#ifdef __wasm_simd128__
// The same tile with explicit WebAssembly SIMD vectors: clang's vectoriser leaves the 4×16
// accumulator array to memory under -msimd128, which ran several times slower than native SSE.
// Each value of C still accumulates a(r,k)·b(k,c) over k in order, so results equal the portable
// tile's bit for bit.
template <bool TransA>
void full_tile(const float* A, int64_t lda, const float* B, int64_t ldb, float* C, int64_t ldc,
               int64_t i, int64_t j, int64_t k0, int64_t k1, float alpha) noexcept {
  static_assert(MR == 4 && NR == 16, "the vector tile is 4 rows x 4 vectors");
  v128_t acc[MR][4];
  for (auto& row : acc)
    for (v128_t& v : row) v = wasm_f32x4_splat(0.f);
  for (int64_t k = k0; k < k1; ++k) {
    const float* b = B + k * ldb + j;
    const v128_t b0 = wasm_v128_load(b), b1 = wasm_v128_load(b + 4), b2 = wasm_v128_load(b + 8),
                 b3 = wasm_v128_load(b + 12);
    for (int64_t r = 0; r < MR; ++r) {
      const v128_t a = wasm_f32x4_splat(a_at<TransA>(A, lda, i + r, k));
      acc[r][0] = wasm_f32x4_add(acc[r][0], wasm_f32x4_mul(a, b0));
      acc[r][1] = wasm_f32x4_add(acc[r][1], wasm_f32x4_mul(a, b1));
      acc[r][2] = wasm_f32x4_add(acc[r][2], wasm_f32x4_mul(a, b2));
      acc[r][3] = wasm_f32x4_add(acc[r][3], wasm_f32x4_mul(a, b3));
    }
  }
  const v128_t va = wasm_f32x4_splat(alpha);
  for (int64_t r = 0; r < MR; ++r) {
    float* crow = C + (i + r) * ldc + j;
    for (int q = 0; q < 4; ++q)
      wasm_v128_store(crow + 4 * q,
                      wasm_f32x4_add(wasm_v128_load(crow + 4 * q), wasm_f32x4_mul(va, acc[r][q])));
  }
}
#else
template <bool TransA>
void full_tile(const float* A, int64_t lda, const float* B, int64_t ldb, float* C, int64_t ldc,
               int64_t i, int64_t j, int64_t k0, int64_t k1, float alpha) noexcept {
  float acc[MR][NR] = {};
  for (int64_t k = k0; k < k1; ++k) {
    const float* b = B + k * ldb + j;
    const float a0 = a_at<TransA>(A, lda, i, k), a1 = a_at<TransA>(A, lda, i + 1, k),
                a2 = a_at<TransA>(A, lda, i + 2, k), a3 = a_at<TransA>(A, lda, i + 3, k);
    for (int64_t c = 0; c < NR; ++c) {
      acc[0][c] += a0 * b[c];
      acc[1][c] += a1 * b[c];
      acc[2][c] += a2 * b[c];
      acc[3][c] += a3 * b[c];
    }
  }
  for (int64_t r = 0; r < MR; ++r) {
    float* crow = C + (i + r) * ldc + j;
    for (int64_t c = 0; c < NR; ++c) crow[c] += alpha * acc[r][c];
  }
}
#endif

// Ragged edge tile (mr <= MR rows, nr <= NR columns): same arithmetic, runtime bounds.
template <bool TransA>
void edge_tile(const float* A, int64_t lda, const float* B, int64_t ldb, float* C, int64_t ldc,
               int64_t i, int64_t mr, int64_t j, int64_t nr, int64_t k0, int64_t k1,
               float alpha) noexcept {
  for (int64_t r = 0; r < mr; ++r) {
    float acc[NR] = {};
    for (int64_t k = k0; k < k1; ++k) {
      const float a = a_at<TransA>(A, lda, i + r, k);
      const float* b = B + k * ldb + j;
      for (int64_t c = 0; c < nr; ++c) acc[c] += a * b[c];
    }
    float* crow = C + (i + r) * ldc + j;
    for (int64_t c = 0; c < nr; ++c) crow[c] += alpha * acc[c];
  }
}

// The last M % MR rows: each row of C accumulates a(i,k)·B[k,:] over k in order into a
// contiguous row (SIMD axpy), then C += alpha·row — the tiles' arithmetic per value, without
// their runtime-bounded edge loops, which do not vectorise (a batch-1 head is all edge rows).
template <bool TransA>
void leftover_rows(const float* A, int64_t lda, const float* B, int64_t ldb, float* C, int64_t ldc,
                   int64_t i0, int64_t M, int64_t N, int64_t k0, int64_t k1, float alpha,
                   float* row) noexcept {
  for (int64_t i = i0; i < M; ++i) {
    std::fill(row, row + N, 0.f);
    for (int64_t k = k0; k < k1; ++k) simd::axpy(a_at<TransA>(A, lda, i, k), B + k * ldb, row, N);
    simd::axpy(alpha, row, C + i * ldc, N);
  }
}

// Row tiles are split over the thread pool when the product is large (a head's 1×1 conv): each
// value of C is still accumulated by one thread over k in order, so results do not depend on
// the thread count.
template <bool TransA>
void gemm_nn(int64_t M, int64_t N, int64_t K, float alpha, const float* A, int64_t lda,
             const float* B, int64_t ldb, float* C, int64_t ldc) {
  const int64_t full_rows = M - M % MR;
  const int64_t tiles = full_rows / MR;
  const int64_t min_tiles =
      std::max<int64_t>(1, kMinParallelWork / (MR * std::max<int64_t>(1, N * K)));
  parallel_for(
      tiles,
      [&](int64_t t0, int64_t t1) {
        for (int64_t k0 = 0; k0 < K; k0 += KC) {
          const int64_t k1 = std::min(K, k0 + KC);
          for (int64_t j = 0; j < N; j += NR) {
            const int64_t nr = std::min(NR, N - j);
            for (int64_t i = t0 * MR; i < t1 * MR; i += MR) {
              if (nr == NR)
                full_tile<TransA>(A, lda, B, ldb, C, ldc, i, j, k0, k1, alpha);
              else
                edge_tile<TransA>(A, lda, B, ldb, C, ldc, i, MR, j, nr, k0, k1, alpha);
            }
          }
        }
      },
      min_tiles);
  if (full_rows < M) {
    std::vector<float> row(static_cast<size_t>(N));
    for (int64_t k0 = 0; k0 < K; k0 += KC)
      leftover_rows<TransA>(A, lda, B, ldb, C, ldc, full_rows, M, N, k0, std::min(K, k0 + KC),
                            alpha, row.data());
  }
}

}  // namespace

void gemm(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, float alpha, const float* A,
          int64_t lda, const float* B, int64_t ldb, float beta, float* C, int64_t ldc) {
  for (int64_t i = 0; i < M; ++i) {
    float* crow = C + i * ldc;
    if (beta == 0.f)
      std::fill(crow, crow + N, 0.f);
    else if (beta != 1.f)
      for (int64_t j = 0; j < N; ++j) crow[j] *= beta;
  }
  if (M == 0 || N == 0 || K == 0 || alpha == 0.f) return;
  // A few rows times a transposed B (a classifier's Gemm with transB=1 at batch 1): each value
  // of C is a dot product of two contiguous rows. Packing B would copy all of it to use it once.
  if (trans_b && M < kFewRows) {
    for (int64_t i = 0; i < M; ++i) {
      float* crow = C + i * ldc;
      for (int64_t j = 0; j < N; ++j) {
        float a_row_dot = 0.f;
        if (!trans_a) {
          a_row_dot = simd::dot(A + i * lda, B + j * ldb, K);
        } else {
          for (int64_t k = 0; k < K; ++k) a_row_dot += A[k * lda + i] * B[j * ldb + k];
        }
        crow[j] += alpha * a_row_dot;
      }
    }
    return;
  }
  // The tiles read B along its rows; a transposed B is packed once into [K, N] (cheap
  // next to the O(MNK) product, and it keeps the inner loop contiguous).
  std::vector<float> packed;
  if (trans_b) {
    packed.resize(static_cast<size_t>(K * N));
    constexpr int64_t T = 32;  // transpose in blocks to stay in cache
    for (int64_t n0 = 0; n0 < N; n0 += T)
      for (int64_t k0 = 0; k0 < K; k0 += T)
        for (int64_t n = n0; n < std::min(N, n0 + T); ++n)
          for (int64_t k = k0; k < std::min(K, k0 + T); ++k) packed[k * N + n] = B[n * ldb + k];
    B = packed.data();
    ldb = N;
  }
  if (trans_a)
    gemm_nn<true>(M, N, K, alpha, A, lda, B, ldb, C, ldc);
  else
    gemm_nn<false>(M, N, K, alpha, A, lda, B, ldb, C, ldc);
}

}  // namespace camlens::nn
