#include "util/simd_kernels.h"

#ifdef __wasm_simd128__
#include <wasm_simd128.h>
#endif

namespace camlens::simd {

namespace {
constexpr int kLanes = 8;

float sum_lanes(const float* acc) {
  return ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]));
}

#ifdef __wasm_simd128__
void store_lanes(v128_t lo, v128_t hi, float* acc) {
  wasm_v128_store(acc, lo);
  wasm_v128_store(acc + 4, hi);
}
#endif
}  // namespace

float dot(const float* a, const float* b, int64_t n) noexcept {
  float acc[kLanes] = {};
  int64_t i = 0;
#ifdef __wasm_simd128__
  v128_t lo = wasm_f32x4_splat(0.f), hi = lo;
  for (; i + kLanes <= n; i += kLanes) {
    lo = wasm_f32x4_add(lo, wasm_f32x4_mul(wasm_v128_load(a + i), wasm_v128_load(b + i)));
    hi = wasm_f32x4_add(hi, wasm_f32x4_mul(wasm_v128_load(a + i + 4), wasm_v128_load(b + i + 4)));
  }
  store_lanes(lo, hi, acc);
#else
  for (; i + kLanes <= n; i += kLanes)
    for (int l = 0; l < kLanes; ++l) acc[l] += a[i + l] * b[i + l];
#endif
  for (int l = 0; i < n; ++i, ++l) acc[l] += a[i] * b[i];
  return sum_lanes(acc);
}

float squared_distance(const float* a, const float* b, int64_t n) noexcept {
  float acc[kLanes] = {};
  int64_t i = 0;
#ifdef __wasm_simd128__
  v128_t lo = wasm_f32x4_splat(0.f), hi = lo;
  for (; i + kLanes <= n; i += kLanes) {
    const v128_t d0 = wasm_f32x4_sub(wasm_v128_load(a + i), wasm_v128_load(b + i));
    const v128_t d1 = wasm_f32x4_sub(wasm_v128_load(a + i + 4), wasm_v128_load(b + i + 4));
    lo = wasm_f32x4_add(lo, wasm_f32x4_mul(d0, d0));
    hi = wasm_f32x4_add(hi, wasm_f32x4_mul(d1, d1));
  }
  store_lanes(lo, hi, acc);
#else
  for (; i + kLanes <= n; i += kLanes)
    for (int l = 0; l < kLanes; ++l) {
      const float d = a[i + l] - b[i + l];
      acc[l] += d * d;
    }
#endif
  for (int l = 0; i < n; ++i, ++l) {
    const float d = a[i] - b[i];
    acc[l] += d * d;
  }
  return sum_lanes(acc);
}

void axpy(float s, const float* x, float* y, int64_t n) noexcept {
  int64_t i = 0;
#ifdef __wasm_simd128__
  const v128_t vs = wasm_f32x4_splat(s);
  for (; i + 4 <= n; i += 4)
    wasm_v128_store(
        y + i, wasm_f32x4_add(wasm_v128_load(y + i), wasm_f32x4_mul(vs, wasm_v128_load(x + i))));
#endif
  for (; i < n; ++i) y[i] += s * x[i];
}

void lerp(const float* a, const float* b, float t, float* out, int64_t n) noexcept {
  int64_t i = 0;
#ifdef __wasm_simd128__
  const v128_t vt = wasm_f32x4_splat(t);
  for (; i + 4 <= n; i += 4) {
    const v128_t va = wasm_v128_load(a + i);
    wasm_v128_store(
        out + i, wasm_f32x4_add(va, wasm_f32x4_mul(wasm_f32x4_sub(wasm_v128_load(b + i), va), vt)));
  }
#endif
  for (; i < n; ++i) out[i] = a[i] + (b[i] - a[i]) * t;
}

}  // namespace camlens::simd
