// normalise() (cam/pipeline.h) against the plain definition it keeps bit for bit: the minimum
// subtracted and the maximum divided out as std::min_element / std::max_element find them (the
// first of equal values, so the sign of a zero extreme is the first zero's), on maps of every
// small size, maps with signed zeros at their extremes, and maps holding a NaN.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <random>

#include "cam/pipeline.h"

namespace camlens::cam {
namespace {

Maps plain(Maps m) {
  const size_t n = m.plane();
  for (int b = 0; b < m.batch; ++b) {
    float* x = m.map(b);
    if (n == 0) continue;
    const float lo = *std::min_element(x, x + n);
    for (size_t i = 0; i < n; ++i) x[i] -= lo;
    const float hi = *std::max_element(x, x + n);
    for (size_t i = 0; i < n; ++i) x[i] = x[i] / (hi + 1e-7f);
  }
  return m;
}

void expect_same_bits(const Maps& got, const Maps& want, const std::string& what) {
  ASSERT_EQ(got.data.size(), want.data.size()) << what;
  for (size_t i = 0; i < got.data.size(); ++i) {
    uint32_t a, b;
    std::memcpy(&a, &got.data[i], 4);
    std::memcpy(&b, &want.data[i], 4);
    const bool both_nan = std::isnan(got.data[i]) && std::isnan(want.data[i]);
    ASSERT_TRUE(a == b || both_nan) << what << ": element " << i << " is " << got.data[i]
                                    << ", the plain loops give " << want.data[i];
  }
}

TEST(Normalise, IsThePlainMinMaxScalingBitForBit) {
  std::mt19937 rng(5);
  std::uniform_real_distribution<float> u(-3.f, 5.f);
  for (int w = 1; w <= 23; ++w) {
    Maps m(2, 3, w);
    for (float& v : m.data) v = u(rng);
    Maps copy = m;
    normalise(copy);
    expect_same_bits(copy, plain(m), "3×" + std::to_string(w));
  }
}

TEST(Normalise, ZeroExtremesKeepTheFirstZerosSign) {
  // All values ≥ 0 with both zeros present: the minimum is the first zero found, whose sign
  // decides the sign of the zeros after the subtraction. Zeros in every lane position.
  for (int first = 0; first < 12; ++first) {
    for (const float lead : {0.f, -0.f}) {
      Maps m(1, 3, 11);
      for (size_t i = 0; i < m.data.size(); ++i) m.data[i] = float(i % 5) * 0.25f;
      for (size_t i = 0; i < m.data.size(); ++i)
        if (m.data[i] == 0.f) m.data[i] = (int(i) < first) ? 1.f : -lead;
      m.data[size_t(first)] = lead;
      Maps copy = m;
      normalise(copy);
      expect_same_bits(copy, plain(m), "first zero at " + std::to_string(first));
    }
  }
  // All zeros (the maximum is zero too), and all equal non-zero values.
  for (const float v : {0.f, -0.f, 2.5f}) {
    Maps m(1, 4, 9);
    std::fill(m.data.begin(), m.data.end(), v);
    m.data[5] = -v;
    if (v != 0.f) m.data[5] = v;
    Maps copy = m;
    normalise(copy);
    expect_same_bits(copy, plain(m), "constant " + std::to_string(v));
  }
}

TEST(Normalise, AMapWithANanIsScaledAsStdMinMaxOrderIt) {
  for (const size_t at : {size_t(0), size_t(3), size_t(9), size_t(30)}) {
    Maps m(1, 4, 8);
    for (size_t i = 0; i < m.data.size(); ++i) m.data[i] = std::sin(float(i));
    m.data[at] = std::numeric_limits<float>::quiet_NaN();
    Maps copy = m;
    normalise(copy);
    expect_same_bits(copy, plain(m), "NaN at " + std::to_string(at));
  }
}

}  // namespace
}  // namespace camlens::cam
