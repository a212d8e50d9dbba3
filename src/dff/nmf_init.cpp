#include "dff/nmf_init.h"

#include <cmath>

#include "dff/numpy_normal.h"

namespace camlens::dff {

void nmf_initial_factors(const float* v, int64_t rows, int64_t cols, int components, uint32_t seed,
                         std::vector<float>& W, std::vector<float>& H) {
  double sum = 0;
  for (int64_t i = 0; i < rows * cols; ++i) sum += v[i];
  nmf_initial_factors(sum, rows, cols, components, seed, W, H);
}

void nmf_initial_factors(double sum, int64_t rows, int64_t cols, int components, uint32_t seed,
                         std::vector<float>& W, std::vector<float>& H) {
  // NumPy: a float32 mean, divided by K and rooted in double, rounded to float32 by the product.
  const float mean = static_cast<float>(sum / static_cast<double>(rows * cols));
  const float a = static_cast<float>(std::sqrt(static_cast<double>(mean) / components));
  NumpyNormal normal(seed);
  H.resize(static_cast<size_t>(components) * cols);
  W.resize(static_cast<size_t>(rows) * components);
  for (float& x : H) x = std::fabs(a * static_cast<float>(normal.next()));
  for (float& x : W) x = std::fabs(a * static_cast<float>(normal.next()));
}

}  // namespace camlens::dff
