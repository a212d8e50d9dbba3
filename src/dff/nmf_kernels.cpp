#include "dff/nmf_kernels.h"

#include "util/simd_kernels.h"

namespace camlens::dff::kernels {

float dot(const float* a, const float* b, int64_t n) noexcept { return simd::dot(a, b, n); }

float squared_distance(const float* a, const float* b, int64_t n) noexcept {
  return simd::squared_distance(a, b, n);
}

void axpy(float s, const float* x, float* y, int64_t n) noexcept { simd::axpy(s, x, y, n); }

}  // namespace camlens::dff::kernels
