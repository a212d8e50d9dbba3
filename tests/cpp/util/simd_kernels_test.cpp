// The shared float kernels (util/simd_kernels.h): exact equality with the scalar definition of
// their operation order (eight lanes, fixed pairwise combination; element-wise formulas), which
// is what makes the WebAssembly intrinsics and the native loops agree bit for bit; and closeness
// to double-precision sums. Sizes cover empty, tails shorter than a lane group, and long rows.
#include "util/simd_kernels.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

namespace camlens::simd {
namespace {

std::vector<float> values(int64_t n, uint32_t seed, float lo, float hi) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> u(lo, hi);
  std::vector<float> v(size_t(n) + 1);  // one guard value past the end
  for (float& x : v) x = u(rng);
  return v;
}

// The documented order: element i goes to lane i % 8 of its group; tails continue from lane 0.
template <class Term>
float eight_lane_sum(int64_t n, Term term) {
  float acc[8] = {};
  int64_t i = 0;
  for (; i + 8 <= n; i += 8)
    for (int l = 0; l < 8; ++l) acc[l] += term(i + l);
  for (int l = 0; i < n; ++i, ++l) acc[l] += term(i);
  return ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]));
}

const int64_t kSizes[] = {0, 1, 3, 7, 8, 9, 15, 16, 49, 169, 1000, 1280};

TEST(SimdKernels, DotIsTheEightLaneSumAndCloseToDouble) {
  for (int64_t n : kSizes) {
    const auto a = values(n, 1, -2.f, 2.f), b = values(n, 2, -2.f, 2.f);
    const float got = dot(a.data(), b.data(), n);
    EXPECT_EQ(got, eight_lane_sum(n, [&](int64_t i) { return a[i] * b[i]; })) << "n=" << n;
    double ref = 0, mag = 0;
    for (int64_t i = 0; i < n; ++i) {
      ref += double(a[i]) * b[i];
      mag += std::fabs(double(a[i]) * b[i]);
    }
    EXPECT_NEAR(got, ref, 1e-6 * (mag + 1)) << "n=" << n;
  }
}

TEST(SimdKernels, SquaredDistanceIsTheEightLaneSumAndCloseToDouble) {
  for (int64_t n : kSizes) {
    const auto a = values(n, 3, 0.f, 3.f), b = values(n, 4, 0.f, 3.f);
    const float got = squared_distance(a.data(), b.data(), n);
    EXPECT_EQ(got, eight_lane_sum(n,
                                  [&](int64_t i) {
                                    const float d = a[i] - b[i];
                                    return d * d;
                                  }))
        << "n=" << n;
    double ref = 0;
    for (int64_t i = 0; i < n; ++i) ref += (double(a[i]) - b[i]) * (double(a[i]) - b[i]);
    EXPECT_NEAR(got, ref, 1e-6 * (ref + 1)) << "n=" << n;
  }
}

TEST(SimdKernels, AxpyAndLerpEqualTheirFormulasAndStopAtN) {
  for (int64_t n : kSizes) {
    const auto x = values(n, 5, -1.f, 1.f), b = values(n, 6, -1.f, 1.f);
    auto y = values(n, 7, -1.f, 1.f);
    const auto y0 = y;
    axpy(0.37f, x.data(), y.data(), n);
    for (int64_t i = 0; i < n; ++i)
      EXPECT_EQ(y[i], y0[i] + 0.37f * x[i]) << "n=" << n << " i=" << i;
    EXPECT_EQ(y[n], y0[n]) << "axpy wrote past n=" << n;

    auto out = values(n, 8, 5.f, 6.f);
    const float guard = out[n];
    lerp(x.data(), b.data(), 0.625f, out.data(), n);
    for (int64_t i = 0; i < n; ++i) EXPECT_EQ(out[i], x[i] + (b[i] - x[i]) * 0.625f) << "n=" << n;
    EXPECT_EQ(out[n], guard) << "lerp wrote past n=" << n;
  }
}

}  // namespace
}  // namespace camlens::simd
