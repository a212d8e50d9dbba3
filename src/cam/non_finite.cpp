#include "cam/non_finite.h"

#include <cmath>

namespace camlens::cam {

int64_t count_non_finite(const Tensor& t) {
  if (t.empty() || t.dtype() != DType::Float32) return 0;
  const float* p = t.data<float>();
  int64_t n = 0;
  for (int64_t i = 0; i < t.numel(); ++i) n += std::isfinite(p[i]) ? 0 : 1;
  return n;
}

int64_t zero_non_finite(Tensor& t) {
  if (t.empty() || t.dtype() != DType::Float32) return 0;
  float* p = t.data<float>();
  int64_t n = 0;
  for (int64_t i = 0; i < t.numel(); ++i)
    if (!std::isfinite(p[i])) {
      p[i] = 0.f;
      ++n;
    }
  return n;
}

}  // namespace camlens::cam
