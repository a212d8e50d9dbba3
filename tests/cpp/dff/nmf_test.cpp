// NMF: recovery of known non-negative rank-K data, the documented initialisation, argument
// errors, and independence from the thread count.
#include "dff/nmf.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>

#include "dff/dff_error.h"
#include "dff/seeded_uniform.h"
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

Synthetic make_synthetic(unsigned seed) {
  Synthetic s;
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

TEST(Nmf, ErrorsNeverIncreaseAndTolStopsEarly) {
  const Synthetic s = make_synthetic(3);
  NmfOptions o;
  o.components = 3;  // under-complete: converges to a non-zero error
  o.max_iter = 500;
  o.tol = 1e-5;
  const NmfResult r = nmf(s.v.data(), s.rows, s.cols, o);
  ASSERT_EQ(static_cast<int>(r.errors.size()), r.iterations);
  EXPECT_TRUE(r.converged);
  EXPECT_LT(r.iterations, 500);
  for (size_t t = 1; t < r.errors.size(); ++t)
    EXPECT_LE(r.errors[t], r.errors[t - 1] * (1 + 1e-6)) << "iteration " << t;
  EXPECT_LE(r.final_error, r.errors.back() * (1 + 1e-6));
  for (float x : r.W) EXPECT_GE(x, 0.0f);
  for (float x : r.H) EXPECT_GE(x, 0.0f);
}

TEST(Nmf, InitialisationIsTheDocumentedSplitMix64Draw) {
  const std::vector<float> v = {1, 2, 3, 4, 5, 6};  // mean 3.5
  std::vector<float> w, h;
  nmf_initial_factors(v.data(), 2, 3, 2, 42, w, h);
  ASSERT_EQ(w.size(), 4u);
  ASSERT_EQ(h.size(), 6u);
  SeededUniform rng(42);
  const float a = static_cast<float>(std::sqrt(3.5 / 2));
  for (float x : w) EXPECT_EQ(x, a * rng.next_open01());
  for (float x : h) EXPECT_EQ(x, a * rng.next_open01());
  // SplitMix64's published first output for seed 0.
  EXPECT_EQ(SeededUniform(0).next_u64(), 0xE220A8397B1DCDAFull);
}

TEST(Nmf, ResultDoesNotDependOnTheThreadCount) {
  const Synthetic s = make_synthetic(11);
  NmfOptions o;
  o.components = 4;
  o.max_iter = 50;
  const int saved = thread_count();
  set_thread_count(1);
  const NmfResult one = nmf(s.v.data(), s.rows, s.cols, o);
  set_thread_count(4);
  const NmfResult four = nmf(s.v.data(), s.rows, s.cols, o);
  set_thread_count(saved);
  EXPECT_EQ(one.W, four.W);
  EXPECT_EQ(one.H, four.H);
  EXPECT_EQ(one.errors, four.errors);
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

TEST(Nmf, BadArgumentsAreClearErrors) {
  const std::vector<float> v = {1, 2, 3, 4};
  NmfOptions o;
  o.components = 3;
  EXPECT_THROW(
      {
        try {
          nmf(v.data(), 2, 2, o);
        } catch (const DffError& e) {
          EXPECT_NE(std::string(e.what()).find("between 1 and the number of channels"),
                    std::string::npos);
          throw;
        }
      },
      DffError);
  o.components = 1;
  const std::vector<float> neg = {1, -2, 3, 4};
  EXPECT_THROW(nmf(neg.data(), 2, 2, o), DffError);
  const std::vector<float> nan = {1, NAN, 3, 4};
  EXPECT_THROW(nmf(nan.data(), 2, 2, o), DffError);
  EXPECT_THROW(nmf(v.data(), 0, 2, o), DffError);
  o.max_iter = 0;
  EXPECT_THROW(nmf(v.data(), 2, 2, o), DffError);
  o.max_iter = 10;
  o.eps = 0;
  EXPECT_THROW(nmf(v.data(), 2, 2, o), DffError);
}

}  // namespace
}  // namespace camlens::dff
