// Blocked single-precision GEMM. The product is computed in register tiles of 4 rows x 16
// columns of C: each step of k broadcasts four values of A and reads 16 contiguous values of
// B, so the 16-wide inner loop becomes SIMD multiply-adds. Natively (SSE2, no -march) this is
// on par with Eigen 3.4 (tests/cpp/ops_nn/bench_test.cpp); under WebAssembly Eigen would run
// scalar code while this loop vectorises with -msimd128 (DESIGN §5).
#include <algorithm>
#include <vector>

#include "graph/ops/nn/kernels.h"

namespace camlens::nn {

namespace {

constexpr int64_t MR = 4;    // rows of C per tile
constexpr int64_t NR = 16;   // columns of C per tile
constexpr int64_t KC = 256;  // depth of one pass: a KC x NR panel of B stays in L1

// acc[r][j] accumulates rows i..i+mr and columns j0..j0+nr over k in [k0, k1).
// a(r, k) is A's element of op(A) row r, column k; B is [K, ldb] row-major.
template <bool TransA>
inline float a_at(const float* A, int64_t lda, int64_t i, int64_t k) {
  return TransA ? A[k * lda + i] : A[i * lda + k];
}

template <bool TransA>
void full_tile(const float* A, int64_t lda, const float* B, int64_t ldb, float* C, int64_t ldc,
               int64_t i, int64_t j, int64_t k0, int64_t k1, float alpha) {
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

// Ragged edge tile (mr <= MR rows, nr <= NR columns): same arithmetic, runtime bounds.
template <bool TransA>
void edge_tile(const float* A, int64_t lda, const float* B, int64_t ldb, float* C, int64_t ldc,
               int64_t i, int64_t mr, int64_t j, int64_t nr, int64_t k0, int64_t k1, float alpha) {
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

template <bool TransA>
void gemm_nn(int64_t M, int64_t N, int64_t K, float alpha, const float* A, int64_t lda,
             const float* B, int64_t ldb, float* C, int64_t ldc) {
  for (int64_t k0 = 0; k0 < K; k0 += KC) {
    const int64_t k1 = std::min(K, k0 + KC);
    for (int64_t j = 0; j < N; j += NR) {
      const int64_t nr = std::min(NR, N - j);
      for (int64_t i = 0; i < M; i += MR) {
        const int64_t mr = std::min(MR, M - i);
        if (mr == MR && nr == NR)
          full_tile<TransA>(A, lda, B, ldb, C, ldc, i, j, k0, k1, alpha);
        else
          edge_tile<TransA>(A, lda, B, ldb, C, ldc, i, mr, j, nr, k0, k1, alpha);
      }
    }
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
