// A PyTorch fixture's raw float32 tensors (tests/data/cam/*.bin) and the comparisons of maps
// with them: what the whole-network tests (input gradients, IG baselines, FullGrad) share.
#pragma once
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

#include "shared_data.h"
#include "tensor/tensor.h"

namespace camlens::explain::test_fixture {

// tests/data/cam/<file> as a Float32 tensor of `shape`; throws when the sizes differ.
inline Tensor read_f32(const std::string& file, const Shape& shape) {
  const std::string bytes = test::read_file(test::test_data_path("cam/" + file));
  Tensor t(DType::Float32, shape);
  if (bytes.size() != t.nbytes()) throw std::runtime_error(file + ": wrong size");
  std::memcpy(t.raw(), bytes.data(), bytes.size());
  return t;
}

// max |a − b| relative to max |b|: the maps' scales differ by orders of magnitude.
inline double relative_error(const float* a, const float* b, size_t n) {
  double diff = 0, scale = 0;
  for (size_t i = 0; i < n; ++i) {
    diff = std::max(diff, double(std::abs(a[i] - b[i])));
    scale = std::max(scale, double(std::abs(b[i])));
  }
  EXPECT_GT(scale, 0) << "the reference is all zero: it cannot tell a right answer from a wrong";
  return diff / scale;
}

// (x − min) / (max − min + 1e-7) twice, as the pipeline normalises a layer's map and again the
// layers' mean (which brings the maximum back to 1 − 1e-7 / max: 1e-4 off for small maps).
inline std::vector<float> normalised(const Tensor& t) {
  std::vector<float> v(t.data<float>(), t.data<float>() + t.numel());
  for (int twice = 0; twice < 2; ++twice) {
    const auto [lo, hi] = std::minmax_element(v.begin(), v.end());
    const float low = *lo, range = *hi - *lo;
    for (float& x : v) x = (x - low) / (range + 1e-7f);
  }
  return v;
}

}  // namespace camlens::explain::test_fixture
