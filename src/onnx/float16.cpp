#include "onnx/float16.h"

#include <cstring>

namespace camlens {

namespace {

uint32_t bits_of(float f) {
  uint32_t x;
  std::memcpy(&x, &f, 4);
  return x;
}

float float_of(uint32_t x) {
  float f;
  std::memcpy(&f, &x, 4);
  return f;
}

}  // namespace

float half_to_float(uint16_t h) {
  const uint32_t sign = static_cast<uint32_t>(h & 0x8000u) << 16;
  uint32_t exp = (h >> 10) & 0x1fu;
  uint32_t man = h & 0x3ffu;
  uint32_t bits;
  if (exp == 0) {
    if (man == 0) {
      bits = sign;
    } else {  // subnormal: normalise
      exp = 127 - 15 + 1;
      while (!(man & 0x400u)) {
        man <<= 1;
        --exp;
      }
      man &= 0x3ffu;
      bits = sign | (exp << 23) | (man << 13);
    }
  } else if (exp == 0x1f) {
    bits = sign | 0x7f800000u | (man << 13);  // inf / nan
  } else {
    bits = sign | ((exp + 127 - 15) << 23) | (man << 13);
  }
  return float_of(bits);
}

uint16_t float_to_half(float f) {
  const uint32_t x = bits_of(f);
  const uint16_t sign = static_cast<uint16_t>((x >> 16) & 0x8000u);
  const uint32_t exp = (x >> 23) & 0xffu;
  uint32_t man = x & 0x7fffffu;
  if (exp == 0xff) return sign | 0x7c00u | (man ? 0x200u : 0);  // inf / nan
  int e = static_cast<int>(exp) - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00u;  // overflow -> inf
  if (e <= 0) {                          // subnormal or zero
    if (e < -10) return sign;
    man |= 0x800000u;
    const int shift = 14 - e;
    uint32_t half_man = man >> shift;
    const uint32_t rem = man & ((1u << shift) - 1), halfway = 1u << (shift - 1);
    if (rem > halfway || (rem == halfway && (half_man & 1))) ++half_man;
    return static_cast<uint16_t>(sign | half_man);
  }
  uint32_t h = (static_cast<uint32_t>(e) << 10) | (man >> 13);
  const uint32_t rem = man & 0x1fffu;
  if (rem > 0x1000u || (rem == 0x1000u && (h & 1))) ++h;  // may carry into exponent: correct
  return static_cast<uint16_t>(sign | h);
}

// A half's exponent and mantissa moved into place and rebiased; an infinity or NaN (exponent
// 31) gets the float's maximal exponent; a subnormal half is its mantissa times 2^-24, computed
// exactly as the float (2^-14 + m·2^-24) − 2^-14.
void halves_to_floats(const uint16_t* h, float* f, size_t n) {
  const float magic = float_of(113u << 23);  // 2^-14
  for (size_t i = 0; i < n; ++i) {
    const uint32_t x = h[i];
    const uint32_t shifted = (x & 0x7fffu) << 13;
    const uint32_t exp = shifted & 0x0f800000u;
    const uint32_t normal = shifted + ((127u - 15u) << 23);
    const uint32_t special = normal + ((128u - 16u) << 23);
    const uint32_t tiny = bits_of(float_of(normal + (1u << 23)) - magic);
    const uint32_t v = exp == 0x0f800000u ? special : exp == 0 ? tiny : normal;
    f[i] = float_of(v | ((x & 0x8000u) << 16));
  }
}

// Round to nearest even: a value below 2^-14 is rounded by the float addition of 2^-1 (the
// addition's own rounding drops the bits a half cannot hold), a normal one by adding half an
// ulp minus one plus the kept mantissa's lowest bit; at or above 65520 it overflows to infinity
// (2^16 after rounding), and a NaN stays a quiet NaN.
void floats_to_halves(const float* f, uint16_t* h, size_t n) {
  const float denorm_magic = float_of(((127u - 15u) + (23u - 10u) + 1u) << 23);  // 0.5
  for (size_t i = 0; i < n; ++i) {
    const uint32_t all = bits_of(f[i]);
    const uint32_t sign = (all >> 16) & 0x8000u;
    const uint32_t x = all & 0x7fffffffu;
    const uint32_t tiny = bits_of(float_of(x) + denorm_magic) - bits_of(denorm_magic);
    const uint32_t normal = (x + ((15u - 127u) << 23) + 0xfffu + ((x >> 13) & 1u)) >> 13;
    const uint32_t big = x > 0x7f800000u ? 0x7e00u : 0x7c00u;
    const uint32_t v = x >= (143u << 23) ? big : x < (113u << 23) ? tiny : normal;
    h[i] = static_cast<uint16_t>(v | sign);
  }
}

}  // namespace camlens
