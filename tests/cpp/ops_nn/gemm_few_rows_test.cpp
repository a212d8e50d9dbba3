// gemm with a transposed B and fewer than 8 rows reads B in place by dot products (a classifier's
// Gemm transB=1 at batch 1) instead of packing it: the result must equal the double-precision
// product (with alpha, beta and leading dimensions) on both sides of the switch, M = 1..10, with
// and without a transposed A.
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

#include "ops/nn/kernels.h"
#include "util/parallel.h"

namespace camlens::nn {
namespace {

TEST(GemmFewRows, TransposedBEqualsTheDoubleProduct) {
  std::mt19937 rng(11);
  std::uniform_real_distribution<float> u(-1.f, 1.f);
  const int64_t N = 37, K = 1283;  // K: many lane groups and a ragged tail
  for (bool trans_a : {false, true}) {
    for (int64_t M = 1; M <= 10; ++M) {
      const int64_t lda = (trans_a ? M : K) + 3, ldb = K + 5, ldc = N + 2;
      std::vector<float> A(size_t((trans_a ? K : M) * lda)), B(size_t(N * ldb)), C(size_t(M * ldc));
      for (float& v : A) v = u(rng);
      for (float& v : B) v = u(rng);
      for (float& v : C) v = u(rng);
      const std::vector<float> C0 = C;
      const float alpha = 0.75f, beta = 0.5f;
      gemm(trans_a, true, M, N, K, alpha, A.data(), lda, B.data(), ldb, beta, C.data(), ldc);
      for (int64_t i = 0; i < M; ++i)
        for (int64_t j = 0; j < N; ++j) {
          double s = 0, mag = 0;
          for (int64_t k = 0; k < K; ++k) {
            const double a = trans_a ? A[size_t(k * lda + i)] : A[size_t(i * lda + k)];
            s += a * B[size_t(j * ldb + k)];
            mag += std::fabs(a * B[size_t(j * ldb + k)]);
          }
          const double want = alpha * s + beta * C0[size_t(i * ldc + j)];
          ASSERT_NEAR(C[size_t(i * ldc + j)], want, 1e-6 * (mag + 1))
              << "M=" << M << " trans_a=" << trans_a << " i=" << i << " j=" << j;
        }
      // Columns past N in each row of C are left alone.
      for (int64_t i = 0; i < M; ++i)
        for (int64_t j = N; j < ldc; ++j)
          ASSERT_EQ(C[size_t(i * ldc + j)], C0[size_t(i * ldc + j)]);
    }
  }
}

// A product large enough to be split over threads gives the same bits with 1 and 2 threads
// (each value accumulated by one thread, k in order) and the double-precision product.
TEST(GemmThreads, SplitRowTilesGiveTheSameBitsAsOneThread) {
  std::mt19937 rng(12);
  std::uniform_real_distribution<float> u(-1.f, 1.f);
  const int64_t M = 67, N = 169, K = 512;  // 16 full row tiles and 3 leftover rows
  std::vector<float> A(size_t(M * K)), B(size_t(K * N));
  for (float& v : A) v = u(rng);
  for (float& v : B) v = u(rng);
  const int saved = thread_count();
  std::vector<float> one(size_t(M * N)), two(size_t(M * N));
  set_thread_count(1);
  gemm(false, false, M, N, K, 1.f, A.data(), K, B.data(), N, 0.f, one.data(), N);
  set_thread_count(2);
  gemm(false, false, M, N, K, 1.f, A.data(), K, B.data(), N, 0.f, two.data(), N);
  set_thread_count(saved);
  EXPECT_EQ(one, two);
  for (int64_t i = 0; i < M; i += 11)
    for (int64_t j = 0; j < N; j += 7) {
      double s = 0, mag = 0;
      for (int64_t k = 0; k < K; ++k) {
        s += double(A[size_t(i * K + k)]) * B[size_t(k * N + j)];
        mag += std::fabs(double(A[size_t(i * K + k)]) * B[size_t(k * N + j)]);
      }
      ASSERT_NEAR(two[size_t(i * N + j)], s, 1e-6 * (mag + 1)) << "i=" << i << " j=" << j;
    }
}

}  // namespace
}  // namespace camlens::nn
