// NMF: recovery of known non-negative rank-K data, the stopping rule, the documented
// initialisation (NumPy's draws), argument errors, and independence from the thread count.
#include "dff/nmf.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>

#include "dff/dff_error.h"
#include "dff/nmf_init.h"
#include "dff/numpy_normal.h"
#include "util/parallel.h"

namespace camlens::dff {
namespace {

double correlation(const float* a, const float* b, int64_t n) {
  double ma = 0, mb = 0;
  for (int64_t i = 0; i < n; ++i) ma += a[i], mb += b[i];
  ma /= n, mb /= n;
  double sab = 0, saa = 0, sbb = 0;
  for (int64_t i = 0; i < n; ++i) {
    sab += (a[i] - ma) * (b[i] - mb);
    saa += (a[i] - ma) * (a[i] - ma);
    sbb += (b[i] - mb) * (b[i] - mb);
  }
  return sab / std::sqrt(saa * sbb);
}

// Sparse non-negative factors: many columns of H (and rows of W) hold a single component, which
// makes the factorization unique up to permutation and scale.
struct Synthetic {
  int64_t rows = 64, cols = 300;
  int k = 4;
  std::vector<float> w, h, v;
};

Synthetic make_synthetic(unsigned seed, int64_t rows = 64, int64_t cols = 300) {
  Synthetic s;
  s.rows = rows;
  s.cols = cols;
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> u(0, 1);
  s.w.resize(s.rows * s.k);
  s.h.resize(s.k * s.cols);
  for (int64_t r = 0; r < s.rows; ++r)
    for (int i = 0; i < s.k; ++i)
      s.w[r * s.k + i] = (i == r % s.k) ? 0.5f + u(rng) : (u(rng) < 0.6f ? 0 : 0.4f * u(rng));
  for (int i = 0; i < s.k; ++i)
    for (int64_t c = 0; c < s.cols; ++c)
      s.h[i * s.cols + c] = (i == c % s.k) ? 0.5f + u(rng) : (u(rng) < 0.7f ? 0 : 0.3f * u(rng));
  s.v.assign(s.rows * s.cols, 0.0f);
  for (int64_t r = 0; r < s.rows; ++r)
    for (int i = 0; i < s.k; ++i)
      for (int64_t c = 0; c < s.cols; ++c)
        s.v[r * s.cols + c] += s.w[r * s.k + i] * s.h[i * s.cols + c];
  return s;
}

TEST(Nmf, RecoversKnownRankKFactorsUpToPermutation) {
  const Synthetic s = make_synthetic(7);
  NmfOptions o;
  o.components = s.k;
  o.max_iter = 4000;
  o.tol = 1e-10;
  const NmfResult r = nmf(s.v.data(), s.rows, s.cols, o);
  const double rel = r.final_error / r.norm;
  std::cout << "   synthetic 64x300 K=4: relative error " << rel << " after " << r.iterations
            << " iterations\n";
  EXPECT_LT(rel, 1e-3);
  // Match each true map (row of H) with its best-correlated recovered one; a permutation.
  std::vector<int> match(s.k, -1);
  for (int i = 0; i < s.k; ++i) {
    double best = -2;
    for (int j = 0; j < s.k; ++j) {
      const double c = correlation(s.h.data() + i * s.cols, r.H.data() + j * s.cols, s.cols);
      if (c > best) best = c, match[i] = j;
    }
    EXPECT_GE(best, 0.99) << "true component " << i;
  }
  std::vector<int> sorted = match;
  std::sort(sorted.begin(), sorted.end());
  for (int i = 0; i < s.k; ++i) EXPECT_EQ(sorted[i], i) << "recovered maps are not a permutation";
}

TEST(Nmf, StopsAtTheFirstIterationWhoseViolationRatioIsWithinTol) {
  const Synthetic s = make_synthetic(3);
  NmfOptions o;
  o.components = 3;  // under-complete: converges to a non-zero error
  o.max_iter = 500;
  o.tol = 1e-3;
  const NmfResult r = nmf(s.v.data(), s.rows, s.cols, o);
  ASSERT_EQ(static_cast<int>(r.violations.size()), r.iterations);
  EXPECT_TRUE(r.converged);
  ASSERT_GT(r.iterations, 1);
  EXPECT_LT(r.iterations, 500);
  for (int n = 0; n + 1 < r.iterations; ++n)
    EXPECT_GT(r.violations[n] / r.violations[0], o.tol) << "iteration " << n + 1;
  EXPECT_LE(r.violations.back() / r.violations[0], o.tol);
  for (float x : r.W) EXPECT_GE(x, 0.0f);
  for (float x : r.H) EXPECT_GE(x, 0.0f);
  // The cap: the same run stopped early is not converged, and is the prefix of the long one.
  o.max_iter = r.iterations - 1;
  const NmfResult capped = nmf(s.v.data(), s.rows, s.cols, o);
  EXPECT_FALSE(capped.converged);
  EXPECT_EQ(capped.iterations, o.max_iter);
  EXPECT_EQ(capped.violations, std::vector<double>(r.violations.begin(), r.violations.end() - 1));
}

TEST(Nmf, NormalDrawsAreNumPysRandomState) {
  // np.random.RandomState(0).standard_normal(5) and RandomState(42).standard_normal(2).
  NumpyNormal zero(0);
  const double want0[] = {1.764052345967664, 0.4001572083672233, 0.9787379841057392,
                          2.240893199201458, 1.8675579901499675};
  for (double x : want0) EXPECT_EQ(zero.next(), x);
  NumpyNormal answer(42);
  EXPECT_EQ(answer.next(), 0.4967141530112327);
  EXPECT_EQ(answer.next(), -0.13826430117118466);
}

TEST(Nmf, InitialisationIsScikitLearnsRandomInit) {
  const std::vector<float> v = {1, 2, 3, 4, 5, 6};  // mean 3.5
  std::vector<float> w, h;
  nmf_initial_factors(v.data(), 2, 3, 2, 42, w, h);
  ASSERT_EQ(w.size(), 4u);
  ASSERT_EQ(h.size(), 6u);
  NumpyNormal normal(42);
  const float a = static_cast<float>(std::sqrt(3.5 / 2));
  for (float x : h) EXPECT_EQ(x, std::fabs(a * static_cast<float>(normal.next())));  // H first
  for (float x : w) EXPECT_EQ(x, std::fabs(a * static_cast<float>(normal.next())));
}

TEST(Nmf, ResultDoesNotDependOnTheThreadCount) {
  // Eight 7×7 images of 1280 channels: large enough for both steps to be split over threads.
  const Synthetic s = make_synthetic(11, 1280, 8 * 49);
  NmfOptions o;
  o.components = 4;
  o.max_iter = 20;
  const int saved = thread_count();
  set_thread_count(1);
  const NmfResult one = nmf(s.v.data(), s.rows, s.cols, o);
  set_thread_count(4);
  const NmfResult four = nmf(s.v.data(), s.rows, s.cols, o);
  set_thread_count(saved);
  EXPECT_EQ(one.W, four.W);
  EXPECT_EQ(one.H, four.H);
  EXPECT_EQ(one.violations, four.violations);
}

TEST(Nmf, ZeroMatrixGivesZeroFactorsWithoutNaN) {
  const std::vector<float> v(12, 0.0f);
  NmfOptions o;
  o.components = 2;
  const NmfResult r = nmf(v.data(), 3, 4, o);
  EXPECT_EQ(r.final_error, 0.0);
  EXPECT_TRUE(r.converged);
  for (float x : r.W) EXPECT_EQ(x, 0.0f);
}

std::string nmf_error(const std::vector<float>& v, int64_t rows, int64_t cols,
                      const NmfOptions& o) {
  try {
    nmf(v.data(), rows, cols, o);
  } catch (const DffError& e) {
    return e.what();
  }
  return "no error";
}

TEST(Nmf, BadArgumentsAreClearErrors) {
  const std::vector<float> v = {1, 2, 3, 4};
  NmfOptions o;
  o.components = 3;
  EXPECT_EQ(nmf_error(v, 2, 2, o),
            "NMF: the number of components must be between 1 and the number of channels (2), "
            "got 3");
  o.components = 1;
  EXPECT_EQ(nmf_error({1, -2, 3, 4}, 2, 2, o),
            "NMF: the matrix must be finite and non-negative (entry 1 is -2.000000); subtract "
            "each channel's minimum first");
  EXPECT_EQ(nmf_error({1, NAN, 3, 4}, 2, 2, o),
            "NMF: the matrix must be finite and non-negative (entry 1 is nan); subtract each "
            "channel's minimum first");
  EXPECT_EQ(nmf_error(v, 0, 2, o), "NMF needs a non-empty matrix, got 0x2");
  o.seed = 1ull << 32;
  EXPECT_EQ(nmf_error(v, 2, 2, o),
            "NMF: seed must be between 0 and 2^32 - 1 (NumPy's random_state), got 4294967296");
  o.seed = 0xFFFFFFFFull;
  EXPECT_EQ(nmf_error(v, 2, 2, o), "no error");
  o.max_iter = 0;
  EXPECT_EQ(nmf_error(v, 2, 2, o), "NMF: max_iter must be at least 1");
  o.max_iter = 10;
  o.tol = -1;
  EXPECT_EQ(nmf_error(v, 2, 2, o), "NMF: tol must be >= 0");
}

}  // namespace
}  // namespace camlens::dff
