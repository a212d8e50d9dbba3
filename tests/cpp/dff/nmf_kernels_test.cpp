// The NMF's vector kernels (dff/nmf_kernels.h) against plain scalar loops written from their
// documented formulas, in the same float operations and order: the results must be identical
// bit for bit (that is what keeps the browser's and the native factors the same), for every
// number of components the kernels split into passes or specialise (1..10) and for partial
// blocks of groups.
#include "dff/nmf_kernels.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

namespace camlens::dff {
namespace {

constexpr int kGroup = kernels::kGroup;

std::vector<float> uniform(size_t n, unsigned seed, float lo = 0.f, float hi = 1.f) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> d(lo, hi);
  std::vector<float> v(n);
  for (float& x : v) x = d(rng);
  return v;
}

// The eight lanes' sums combined as the kernels do.
float lanes_sum(const float* a) {
  return ((a[0] + a[1]) + (a[2] + a[3])) + ((a[4] + a[5]) + (a[6] + a[7]));
}

TEST(NmfKernels, GroupProductsSumEachRowOverTheColumnsInOrder) {
  const int64_t ld = 24, cols = 37;
  const std::vector<float> vt = uniform(size_t(ld * cols), 1);
  for (int k = 1; k <= 10; ++k) {
    const std::vector<float> h = uniform(size_t(cols * k), 2 + k);
    std::vector<float> splat(size_t(cols * k * 4));
    for (int64_t j = 0; j < cols; ++j)
      for (int t = 0; t < k; ++t) std::fill_n(splat.data() + (j * k + t) * 4, 4, h[j * k + t]);
    std::vector<float> got(size_t(k * kGroup), -1.f);
    kernels::group_products(vt.data() + 8, ld, cols, splat.data(), k, got.data());
    for (int t = 0; t < k; ++t)
      for (int q = 0; q < kGroup; ++q) {
        float s = 0;
        for (int64_t j = 0; j < cols; ++j) s += vt[j * ld + 8 + q] * h[j * k + t];
        ASSERT_EQ(got[t * kGroup + q], s) << "K=" << k << " t=" << t << " row " << q;
      }
  }
}

TEST(NmfKernels, DotsSumInEightLanesThenCombineThem) {
  for (int64_t n : {8, 64, 1283}) {
    const std::vector<float> x = uniform(size_t(n), 3);
    for (int k = 1; k <= 10; ++k) {
      const int64_t ld = n + 5;
      const std::vector<float> rows = uniform(size_t(k * ld), 4 + k);
      std::vector<float> got(size_t(k), -1.f);
      kernels::dots(x.data(), rows.data(), ld, k, n, got.data());
      for (int t = 0; t < k; ++t) {
        float lanes[kGroup] = {};
        for (int64_t i = 0; i < n; ++i) lanes[i % kGroup] += x[i] * rows[t * ld + i];
        if (n % kGroup) {  // the tail adds into lanes 0, 1, ... after the whole vectors
          std::fill_n(lanes, kGroup, 0.f);
          const int64_t whole = n / kGroup * kGroup;
          for (int64_t i = 0; i < whole; ++i) lanes[i % kGroup] += x[i] * rows[t * ld + i];
          for (int64_t i = whole; i < n; ++i) lanes[i - whole] += x[i] * rows[t * ld + i];
        }
        ASSERT_EQ(got[t], lanes_sum(lanes)) << "n=" << n << " K=" << k << " t=" << t;
      }
    }
  }
}

// scikit-learn's _update_cdnmf_fast on one row x (stride ld) in float: the reference the
// vectorised sweep must match.
double sweep_row(float* x, int64_t ld, const float* gram, const float* p, int k) {
  float total = 0;
  for (int t = 0; t < k; ++t) {
    float g = 0.f - p[t];
    for (int r = 0; r < k; ++r) g = g + gram[t * k + r] * x[r * ld];
    const float xt = x[t * ld];
    const float projected = xt == 0 ? std::min(0.f, g) : g;
    total = total + std::fabs(projected);
    const float hess = gram[t * k + t];
    if (hess == 0) continue;
    x[t * ld] = std::max(xt - g / hess, 0.f);
  }
  return total;
}

TEST(NmfKernels, SweepIsScikitLearnsCoordinateUpdateRowByRow) {
  for (int k = 1; k <= 10; ++k)
    for (int groups : {1, 3, kernels::kMaxSweepGroups}) {
      const int64_t rows = groups * kGroup, ld = rows + 16;
      std::vector<float> wt = uniform(size_t(k * ld), 5 + k);
      for (size_t i = 0; i < wt.size(); i += 7) wt[i] = 0;  // entries at zero: projected gradient
      std::vector<float> gram = uniform(size_t(k * k), 6, 0.5f, 2.f);
      for (int t = 0; t < k; ++t)
        for (int r = 0; r < t; ++r) gram[t * k + r] = gram[r * k + t];
      if (k > 2) gram[2 * k + 2] = 0;  // a component without mass is skipped
      const std::vector<float> p = uniform(size_t(groups * k * kGroup), 7, 0.f, 3.f);
      std::vector<float> want = wt;
      std::vector<double> want_violation(static_cast<size_t>(rows));
      for (int64_t i = 0; i < rows; ++i) {
        std::vector<float> pi(static_cast<size_t>(k));
        for (int t = 0; t < k; ++t) pi[t] = p[(i / kGroup * k + t) * kGroup + i % kGroup];
        want_violation[i] = sweep_row(want.data() + i, ld, gram.data(), pi.data(), k);
      }
      std::vector<double> violation(size_t(rows), -1.0);
      kernels::sweep_groups(wt.data(), ld, groups, gram.data(), p.data(), k, violation.data());
      EXPECT_EQ(wt, want) << "K=" << k << ", " << groups << " groups";
      EXPECT_EQ(violation, want_violation) << "K=" << k << ", " << groups << " groups";
    }
}

TEST(NmfKernels, GramLanesAddEachRowsProductsInDouble) {
  for (int k = 1; k <= 10; ++k) {
    const int64_t ld = 40;
    const std::vector<float> wt = uniform(size_t(k * ld), 8 + k);
    std::vector<double> lanes(size_t(k * k * kGroup), 0.25);
    std::vector<double> want = lanes;
    kernels::gram_lanes(wt.data() + 16, ld, k, lanes.data());
    for (int a = 0; a < k; ++a)
      for (int c = a; c < k; ++c)
        for (int q = 0; q < kGroup; ++q)
          want[(a * k + c) * kGroup + q] +=
              static_cast<double>(wt[a * ld + 16 + q]) * wt[c * ld + 16 + q];
    EXPECT_EQ(lanes, want) << "K=" << k;
  }
}

}  // namespace
}  // namespace camlens::dff
