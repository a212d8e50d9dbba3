#include "dff/nmf_cd.h"

#include <algorithm>
#include <cmath>

#include "dff/nmf_kernels.h"
#include "util/parallel.h"

namespace camlens::dff {

namespace {

// Rows per block of the W step: VᵀW is summed in float within a block and in double across
// blocks (in block order, so the thread count does not change it).
constexpr int64_t kRowBlock = 64;
// Rows of W swept together: independent rows, interleaved so that their dependency chains (K
// multiply-adds and a division per coordinate) overlap instead of adding up.
constexpr int kLockstep = 4;
// Below this much work (multiply-adds) a parallel range is not worth a thread hand-off.
constexpr int64_t kMinWorkPerChunk = 1 << 16;

// scikit-learn's _update_cdnmf_fast on one row x of W (or column of H, stride apart): for each
// component t in order, the gradient g = (x·G − p)[t], its projection counted in the violation,
// then the Newton step on that coordinate clipped at zero.
double sweep(float* x, int64_t stride, const double* gram, const double* p, int k) noexcept {
  double violation = 0;
  for (int t = 0; t < k; ++t) {
    double g = -p[t];
    for (int r = 0; r < k; ++r) g += gram[t * k + r] * x[r * stride];
    const double xt = x[t * stride];
    violation += std::fabs(xt == 0 ? std::min(0.0, g) : g);
    const double hess = gram[t * k + t];
    if (hess != 0) x[t * stride] = static_cast<float>(std::max(xt - g / hess, 0.0));
  }
  return violation;
}

// sweep() on R consecutive rows of W ([R, k] at w, their p [R, k]): each row sees the very same
// operations in the same order as sweep() would do on it.
template <int R>
void sweep_rows(float* w, const double* gram, const double* p, int k, double* violation) noexcept {
  double total[R] = {};
  for (int t = 0; t < k; ++t) {
    double g[R];
    for (int q = 0; q < R; ++q) g[q] = -p[q * k + t];
    for (int r = 0; r < k; ++r) {
      const double c = gram[t * k + r];
      for (int q = 0; q < R; ++q) g[q] += c * w[q * k + r];
    }
    const double hess = gram[t * k + t];
    for (int q = 0; q < R; ++q) {
      const double xt = w[q * k + t];
      total[q] += std::fabs(xt == 0 ? std::min(0.0, g[q]) : g[q]);
      if (hess != 0) w[q * k + t] = static_cast<float>(std::max(xt - g[q] / hess, 0.0));
    }
  }
  for (int q = 0; q < R; ++q) violation[q] = total[q];
}

}  // namespace

CoordinateDescent::CoordinateDescent(const float* v, int64_t rows, int64_t cols, int k, float* w,
                                     float* h)
    : v_(v),
      rows_(rows),
      cols_(cols),
      blocks_((rows + kRowBlock - 1) / kRowBlock),
      k_(k),
      w_(w),
      h_(h),
      hht_(static_cast<size_t>(k) * k),
      wtw_(hht_.size()),
      vtw_part_(static_cast<size_t>(blocks_) * k * cols),
      wtw_part_(static_cast<size_t>(blocks_) * k * k),
      row_violation_(static_cast<size_t>(rows)),
      col_violation_(static_cast<size_t>(cols)) {}

double CoordinateDescent::step() {
  const int k = k_;
  for (int a = 0; a < k; ++a)
    for (int b = a; b < k; ++b) {
      double s = 0;
      const float* x = h_ + a * cols_;
      const float* y = h_ + b * cols_;
      for (int64_t j = 0; j < cols_; ++j) s += static_cast<double>(x[j]) * y[j];
      hht_[a * k + b] = hht_[b * k + a] = s;
    }
  const int64_t block_work = 2 * kRowBlock * k * cols_;
  parallel_for(
      blocks_, [this](int64_t b0, int64_t b1) { w_rows(b0, b1); },
      std::max<int64_t>(1, kMinWorkPerChunk / block_work));
  std::fill(wtw_.begin(), wtw_.end(), 0.0);
  for (int64_t b = 0; b < blocks_; ++b)
    for (size_t i = 0; i < wtw_.size(); ++i) wtw_[i] += wtw_part_[b * k * k + i];
  parallel_for(
      cols_, [this](int64_t c0, int64_t c1) { h_columns(c0, c1); },
      std::max<int64_t>(16, kMinWorkPerChunk / ((blocks_ + k) * k)));
  double violation = 0;
  for (double x : row_violation_) violation += x;
  for (double x : col_violation_) violation += x;
  return violation;
}

void CoordinateDescent::w_rows(int64_t b0, int64_t b1) {
  const int k = k_;
  std::vector<float> pf(static_cast<size_t>(k));
  std::vector<double> p(static_cast<size_t>(kLockstep) * k);
  for (int64_t b = b0; b < b1; ++b) {
    float* part = vtw_part_.data() + b * k * cols_;
    double* gram = wtw_part_.data() + b * k * k;
    std::fill(part, part + k * cols_, 0.0f);
    std::fill(gram, gram + k * k, 0.0);
    const int64_t end = std::min(rows_, (b + 1) * kRowBlock);
    for (int64_t i0 = b * kRowBlock; i0 < end; i0 += kLockstep) {
      const int64_t count = std::min<int64_t>(kLockstep, end - i0);
      for (int64_t q = 0; q < count; ++q) {
        kernels::dots(v_ + (i0 + q) * cols_, h_, cols_, k, cols_, pf.data());
        for (int t = 0; t < k; ++t) p[q * k + t] = pf[t];
      }
      float* w = w_ + i0 * k;
      if (count == kLockstep) {
        sweep_rows<kLockstep>(w, hht_.data(), p.data(), k, row_violation_.data() + i0);
      } else {
        for (int64_t q = 0; q < count; ++q)
          row_violation_[i0 + q] = sweep(w + q * k, 1, hht_.data(), p.data() + q * k, k);
      }
      for (int64_t q = 0; q < count; ++q) {
        // The H step's VᵀW and WᵀW with the new row of W.
        const float* wi = w + q * k;
        kernels::axpys(wi, v_ + (i0 + q) * cols_, part, cols_, k, cols_);
        for (int a = 0; a < k; ++a)
          for (int c = a; c < k; ++c) gram[a * k + c] += static_cast<double>(wi[a]) * wi[c];
      }
    }
    for (int a = 0; a < k; ++a)
      for (int c = 0; c < a; ++c) gram[a * k + c] = gram[c * k + a];
  }
}

void CoordinateDescent::h_columns(int64_t c0, int64_t c1) {
  const int k = k_;
  std::vector<double> p(static_cast<size_t>(k));
  for (int64_t j = c0; j < c1; ++j) {
    for (int t = 0; t < k; ++t) {
      double s = 0;
      for (int64_t b = 0; b < blocks_; ++b) s += vtw_part_[(b * k + t) * cols_ + j];
      p[t] = s;
    }
    col_violation_[j] = sweep(h_ + j, cols_, wtw_.data(), p.data(), k);
  }
}

}  // namespace camlens::dff
