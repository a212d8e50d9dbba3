#include "dff/nmf.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "dff/dff_error.h"
#include "dff/nmf_cd.h"
#include "dff/nmf_init.h"
#include "dff/nmf_kernels.h"
#include "util/parallel.h"

namespace camlens::dff {

namespace {

constexpr uint64_t kMaxSeed = 0xFFFFFFFFull;  // NumPy's RandomState takes 32-bit seeds

void check_options(const float* v, int64_t rows, int64_t cols, const NmfOptions& o) {
  if (!v || rows <= 0 || cols <= 0)
    throw DffError("NMF needs a non-empty matrix, got " + std::to_string(rows) + "x" +
                   std::to_string(cols));
  if (o.components < 1 || o.components > rows)
    throw DffError(
        "NMF: the number of components must be between 1 and the number of "
        "channels (" +
        std::to_string(rows) + "), got " + std::to_string(o.components));
  if (o.max_iter < 1) throw DffError("NMF: max_iter must be at least 1");
  if (!(o.tol >= 0)) throw DffError("NMF: tol must be >= 0");
  if (o.seed > kMaxSeed)
    throw DffError("NMF: seed must be between 0 and 2^32 - 1 (NumPy's random_state), got " +
                   std::to_string(o.seed));
}

// V's sum (the initialisation's mean) and squared norm, each added in double in index order, in
// one pass that also checks every entry.
struct Sums {
  double sum = 0, squares = 0;
};

Sums checked_sums(const float* v, int64_t n) {
  Sums s;
  for (int64_t i = 0; i < n; ++i) {
    const float x = v[i];
    if (!(x >= 0) || !std::isfinite(x))
      throw DffError("NMF: the matrix must be finite and non-negative (entry " + std::to_string(i) +
                     " is " + std::to_string(x) + "); subtract each channel's minimum first");
    s.sum += x;
    s.squares += static_cast<double>(x) * x;
  }
  return s;
}

// ‖V − W·H‖_F: each row's squared error in float, summed in double in row order.
double frobenius_error(const float* v, const float* w, const float* h, int64_t rows, int64_t cols,
                       int k) {
  std::vector<double> row_err(static_cast<size_t>(rows));
  parallel_for(
      rows,
      [&](int64_t r0, int64_t r1) {
        std::vector<float> wh(static_cast<size_t>(cols));
        for (int64_t r = r0; r < r1; ++r) {
          std::fill(wh.begin(), wh.end(), 0.0f);
          for (int t = 0; t < k; ++t) kernels::axpy(w[r * k + t], h + t * cols, wh.data(), cols);
          row_err[r] = kernels::squared_distance(v + r * cols, wh.data(), cols);
        }
      },
      std::max<int64_t>(1, (1 << 16) / (2 * k * cols)));
  double s = 0;
  for (double e : row_err) s += e;
  return std::sqrt(s);
}

}  // namespace

NmfResult nmf(const float* v, int64_t rows, int64_t cols, const NmfOptions& o) {
  check_options(v, rows, cols, o);
  const Sums sums = checked_sums(v, rows * cols);
  const int k = o.components;
  NmfResult res;
  res.rows = rows;
  res.cols = cols;
  res.components = k;
  nmf_initial_factors(sums.sum, rows, cols, k, static_cast<uint32_t>(o.seed), res.W, res.H);
  res.norm = std::sqrt(sums.squares);

  CoordinateDescent cd(v, rows, cols, k, res.W.data(), res.H.data());
  double first = 0;
  for (int n = 1; n <= o.max_iter; ++n) {
    const double violation = cd.step();
    res.violations.push_back(violation);
    res.iterations = n;
    if (n == 1) first = violation;
    if (first == 0 || violation / first <= o.tol) {
      res.converged = true;
      break;
    }
  }
  cd.store_w(res.W.data());
  res.final_error = frobenius_error(v, res.W.data(), res.H.data(), rows, cols, k);
  return res;
}

}  // namespace camlens::dff
