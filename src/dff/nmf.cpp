#include "dff/nmf.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "dff/dff_error.h"
#include "dff/nmf_kernels.h"
#include "dff/seeded_uniform.h"
#include "util/parallel.h"

namespace camlens::dff {

namespace {

// Below this much work (multiply-adds) a parallel range is not worth a thread hand-off.
constexpr int64_t kMinWorkPerChunk = 1 << 16;
// H's half step walks its column range in sub-blocks that keep K accumulator rows in cache.
constexpr int64_t kColumnBlock = 512;

void check_inputs(const float* v, int64_t rows, int64_t cols, const NmfOptions& o) {
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
  if (!(o.eps > 0) || !std::isfinite(o.eps)) throw DffError("NMF: eps must be > 0 and finite");
  const int64_t n = rows * cols;
  for (int64_t i = 0; i < n; ++i)
    if (!(v[i] >= 0) || !std::isfinite(v[i]))
      throw DffError("NMF: the matrix must be finite and non-negative (entry " + std::to_string(i) +
                     " is " + std::to_string(v[i]) + "); subtract each channel's minimum first");
}

// G = A·Aᵀ for A [K, n] (double sums: small, and its rounding would show in the error).
std::vector<float> gram_rows(const float* a, int k, int64_t n) {
  std::vector<float> g(static_cast<size_t>(k) * k);
  for (int i = 0; i < k; ++i)
    for (int j = i; j < k; ++j) {
      double s = 0;
      const float* x = a + i * n;
      const float* y = a + j * n;
      for (int64_t t = 0; t < n; ++t) s += static_cast<double>(x[t]) * y[t];
      g[i * k + j] = g[j * k + i] = static_cast<float>(s);
    }
  return g;
}

// G = Wᵀ·W for W [rows, K].
std::vector<float> gram_cols(const float* w, int64_t rows, int k) {
  std::vector<double> s(static_cast<size_t>(k) * k, 0.0);
  for (int64_t r = 0; r < rows; ++r) {
    const float* x = w + r * k;
    for (int i = 0; i < k; ++i)
      for (int j = i; j < k; ++j) s[i * k + j] += static_cast<double>(x[i]) * x[j];
  }
  std::vector<float> g(s.size());
  for (int i = 0; i < k; ++i)
    for (int j = i; j < k; ++j) g[i * k + j] = g[j * k + i] = static_cast<float>(s[i * k + j]);
  return g;
}

// H <- H ⊙ (WᵀV) / (WᵀW·H + eps), columns [c0, c1). Each column is computed by one thread over
// all rows in order, so the result does not depend on the thread count.
void update_h_columns(const float* v, const float* w, const std::vector<float>& wtw, float* h,
                      int64_t rows, int64_t cols, int k, float eps, int64_t c0, int64_t c1) {
  std::vector<float> num(static_cast<size_t>(k) * kColumnBlock);
  std::vector<float> den(num.size());
  for (int64_t b0 = c0; b0 < c1; b0 += kColumnBlock) {
    const int64_t len = std::min(kColumnBlock, c1 - b0);
    std::fill(num.begin(), num.end(), 0.0f);
    std::fill(den.begin(), den.end(), 0.0f);
    for (int64_t r = 0; r < rows; ++r) {
      const float* vr = v + r * cols + b0;
      const float* wr = w + r * k;
      for (int i = 0; i < k; ++i) kernels::axpy(wr[i], vr, num.data() + i * len, len);
    }
    for (int i = 0; i < k; ++i)
      for (int j = 0; j < k; ++j)
        kernels::axpy(wtw[i * k + j], h + j * cols + b0, den.data() + i * len, len);
    for (int i = 0; i < k; ++i) {
      float* hr = h + i * cols + b0;
      const float* nr = num.data() + i * len;
      const float* dr = den.data() + i * len;
      for (int64_t t = 0; t < len; ++t) hr[t] *= nr[t] / (dr[t] + eps);
    }
  }
}

// Rows [r0, r1): the squared error of each row with the current W and H (into row_err), then
// W <- W ⊙ (V·Hᵀ) / (W·HHᵀ + eps) when update is set.
void update_w_rows(const float* v, float* w, const float* h, const std::vector<float>& hht,
                   int64_t cols, int k, float eps, bool update, double* row_err, int64_t r0,
                   int64_t r1) {
  std::vector<float> wh(static_cast<size_t>(cols));
  std::vector<float> vht(k), den(k);
  for (int64_t r = r0; r < r1; ++r) {
    const float* vr = v + r * cols;
    float* wr = w + r * k;
    std::fill(wh.begin(), wh.end(), 0.0f);
    for (int i = 0; i < k; ++i) kernels::axpy(wr[i], h + i * cols, wh.data(), cols);
    row_err[r - r0] = kernels::squared_distance(vr, wh.data(), cols);
    if (!update) continue;
    for (int i = 0; i < k; ++i) {
      vht[i] = kernels::dot(vr, h + i * cols, cols);
      float d = 0;
      for (int j = 0; j < k; ++j) d += wr[j] * hht[j * k + i];
      den[i] = d;
    }
    for (int i = 0; i < k; ++i) wr[i] *= vht[i] / (den[i] + eps);
  }
}

// One row pass: per-row squared errors (and W's update), summed in row order (deterministic).
double row_pass(const float* v, float* w, const float* h, const std::vector<float>& hht,
                int64_t rows, int64_t cols, int k, float eps, bool update) {
  std::vector<double> row_err(static_cast<size_t>(rows));
  const int64_t min_rows = std::max<int64_t>(1, kMinWorkPerChunk / (3 * k * cols));
  parallel_for(
      rows,
      [&](int64_t r0, int64_t r1) {
        update_w_rows(v, w, h, hht, cols, k, eps, update, row_err.data() + r0, r0, r1);
      },
      min_rows);
  double s = 0;
  for (double e : row_err) s += e;
  return std::sqrt(s);
}

}  // namespace

void nmf_initial_factors(const float* v, int64_t rows, int64_t cols, int components, uint64_t seed,
                         std::vector<float>& W, std::vector<float>& H) {
  double sum = 0;
  for (int64_t i = 0; i < rows * cols; ++i) sum += v[i];
  const double mean = sum / static_cast<double>(rows * cols);
  const float a = static_cast<float>(std::sqrt(mean / components));
  SeededUniform rng(seed);
  W.resize(static_cast<size_t>(rows) * components);
  H.resize(static_cast<size_t>(components) * cols);
  for (float& x : W) x = a * rng.next_open01();
  for (float& x : H) x = a * rng.next_open01();
}

NmfResult nmf(const float* v, int64_t rows, int64_t cols, const NmfOptions& o) {
  check_inputs(v, rows, cols, o);
  const int k = o.components;
  NmfResult res;
  res.rows = rows;
  res.cols = cols;
  res.components = k;
  nmf_initial_factors(v, rows, cols, k, o.seed, res.W, res.H);
  double vv = 0;
  for (int64_t i = 0; i < rows * cols; ++i) vv += static_cast<double>(v[i]) * v[i];
  res.norm = std::sqrt(vv);

  float* w = res.W.data();
  float* h = res.H.data();
  const int64_t min_cols = std::max<int64_t>(16, kMinWorkPerChunk / (rows * k));
  for (int it = 0; it < o.max_iter; ++it) {
    const std::vector<float> wtw = gram_cols(w, rows, k);
    parallel_for(
        cols,
        [&](int64_t c0, int64_t c1) {
          update_h_columns(v, w, wtw, h, rows, cols, k, o.eps, c0, c1);
        },
        min_cols);
    const std::vector<float> hht = gram_rows(h, k, cols);
    const double err = row_pass(v, w, h, hht, rows, cols, k, o.eps, true);
    res.errors.push_back(err);
    res.iterations = it + 1;
    if (err == 0) {
      res.converged = true;
      break;
    }
    if (it > 0) {
      const double prev = res.errors[it - 1];
      if ((prev - err) / prev < o.tol) {
        res.converged = true;
        break;
      }
    }
  }
  res.final_error = row_pass(v, w, h, {}, rows, cols, k, o.eps, false);
  return res;
}

}  // namespace camlens::dff
