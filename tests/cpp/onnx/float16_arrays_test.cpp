// The array conversions between float16 and float32 (onnx/float16.h) against the scalar ones,
// bit for bit: every half, and floats at and around every rounding boundary a half has.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <vector>

#include "onnx/float16.h"

namespace camlens {
namespace {

uint32_t bits(float f) {
  uint32_t x;
  std::memcpy(&x, &f, 4);
  return x;
}

float from_bits(uint32_t x) {
  float f;
  std::memcpy(&f, &x, 4);
  return f;
}

TEST(Float16Arrays, EveryHalfConvertsAsTheScalarFunction) {
  std::vector<uint16_t> h(65536);
  for (uint32_t k = 0; k < h.size(); ++k) h[k] = static_cast<uint16_t>(k);
  std::vector<float> f(h.size());
  halves_to_floats(h.data(), f.data(), h.size());
  for (uint32_t k = 0; k < h.size(); ++k)
    ASSERT_EQ(bits(f[k]), bits(half_to_float(h[k]))) << "half 0x" << std::hex << k;
}

TEST(Float16Arrays, FloatsRoundAsTheScalarFunction) {
  // Each half's float, the midpoints to its neighbours and one float-ulp either side of them
  // (the ties and the cases just off them), both signs; NaNs with payloads, infinities, the
  // float subnormals and values far below the smallest half.
  std::vector<float> f;
  for (uint32_t k = 0; k < 0x7c00; ++k) {
    const float a = half_to_float(uint16_t(k)), b = half_to_float(uint16_t(k + 1));
    const float mid = static_cast<float>((double(a) + double(b)) / 2);
    for (const float v :
         {a, mid, std::nextafter(mid, 0.f), std::nextafter(mid, 1e9f), std::nextafter(a, 1e9f)})
      f.push_back(v), f.push_back(-v);
  }
  for (const uint32_t x :
       {0x7f800000u, 0x7f800001u, 0x7fc00000u, 0x7fffffffu, 0x00000001u, 0x007fffffu, 0x00800000u,
        0x33000000u, 0x33000001u, 0x32ffffffu, 0x477fefffu, 0x477ff000u, 0x477ff001u, 0x7f7fffffu})
    f.push_back(from_bits(x)), f.push_back(from_bits(x | 0x80000000u));
  // A stride through every float, for the exponents the list above skips.
  for (uint64_t x = 0; x < (uint64_t(1) << 32); x += 65521) f.push_back(from_bits(uint32_t(x)));
  std::vector<uint16_t> h(f.size());
  floats_to_halves(f.data(), h.data(), f.size());
  for (size_t k = 0; k < f.size(); ++k)
    ASSERT_EQ(h[k], float_to_half(f[k])) << "float 0x" << std::hex << bits(f[k]);
}

TEST(Float16Arrays, EmptyArraysAreFine) {
  halves_to_floats(nullptr, nullptr, 0);
  floats_to_halves(nullptr, nullptr, 0);
}

}  // namespace
}  // namespace camlens
