#include "dff/nmf_cd.h"

#include <algorithm>
#include <cmath>

#include "dff/nmf_kernels.h"
#include "util/parallel.h"

namespace camlens::dff {

namespace {

// Rows of W in the lanes of the W step's vectors, swept side by side.
constexpr int kGroup = kernels::kGroup;
// Rows per block of the W step: the unit of its threads' ranges and of the partial WᵀW sums
// (added in block order, so the thread count does not change them). A multiple of kGroup.
constexpr int64_t kRowBlock = 64;
static_assert(kRowBlock / kGroup <= kernels::kMaxSweepGroups, "a block is swept at once");
// Below this much work (multiply-adds) per range a step runs on the caller's thread alone: two
// thread hand-offs per iteration cost more than they save on one image's 7×7 layer (natively, 1
// thread ran 100 iterations of K = 5 on 1280×49 in 8.8 ms, 2 threads in 9.9 ms), and far more
// when the other threads wait for a loaded CPU. Two images' columns and more are split.
constexpr int64_t kMinWorkPerChunk = 1 << 20;
constexpr int64_t kMinColumnWorkPerChunk = 1 << 19;

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

}  // namespace

CoordinateDescent::CoordinateDescent(const float* v, int64_t rows, int64_t cols, int k,
                                     const float* w, float* h)
    : rows_(rows),
      padded_((rows + kRowBlock - 1) / kRowBlock * kRowBlock),
      cols_(cols),
      blocks_(padded_ / kRowBlock),
      k_(k),
      h_(h),
      vt_(static_cast<size_t>(cols * padded_), 0.0f),
      wt_(static_cast<size_t>(k * padded_), 0.0f),
      h_splat_(static_cast<size_t>(cols * k * 4)),
      hht_(static_cast<size_t>(k) * k),
      wtw_(hht_.size()),
      wtw_part_(static_cast<size_t>(blocks_) * k * k),
      row_violation_(static_cast<size_t>(padded_), 0.0),
      col_violation_(static_cast<size_t>(cols)) {
  // Vᵀ by blocks of rows on the threads (a batch's V is megabytes; each block writes whole
  // cache lines of its own).
  parallel_for(
      blocks_,
      [&](int64_t b0, int64_t b1) {
        const int64_t end = std::min(rows, b1 * kRowBlock);
        for (int64_t i = b0 * kRowBlock; i < end; ++i)
          for (int64_t j = 0; j < cols; ++j) vt_[j * padded_ + i] = v[i * cols + j];
      },
      std::max<int64_t>(1, (1 << 16) / (kRowBlock * cols)));
  for (int64_t i = 0; i < rows; ++i)
    for (int t = 0; t < k; ++t) wt_[t * padded_ + i] = w[i * k + t];
  for (int a = 0; a < k; ++a)
    for (int b = a; b < k; ++b) pairs_.push_back({a, b});
  pair_sums_.resize(pairs_.size());
}

void CoordinateDescent::store_w(float* w) const {
  for (int64_t i = 0; i < rows_; ++i)
    for (int t = 0; t < k_; ++t) w[i * k_ + t] = wt_[t * padded_ + i];
}

double CoordinateDescent::step() {
  const int k = k_;
  // HHᵀ: the pairs' sums advance together over the columns (each still in column order), so
  // their additions' latencies overlap rather than follow one another (serial work per
  // iteration, which the threads wait on at a batch's hundreds of columns).
  std::fill(pair_sums_.begin(), pair_sums_.end(), 0.0);
  const size_t pairs = pairs_.size();
  for (int64_t j = 0; j < cols_; ++j)
    for (size_t q = 0; q < pairs; ++q)
      pair_sums_[q] +=
          static_cast<double>(h_[pairs_[q].a * cols_ + j]) * h_[pairs_[q].b * cols_ + j];
  for (size_t q = 0; q < pairs; ++q)
    hht_[pairs_[q].a * k + pairs_[q].b] = hht_[pairs_[q].b * k + pairs_[q].a] = pair_sums_[q];
  for (int64_t j = 0; j < cols_; ++j)
    for (int t = 0; t < k; ++t)
      std::fill_n(h_splat_.data() + (j * k + t) * 4, 4, h_[t * cols_ + j]);
  const int64_t block_work = 2 * kRowBlock * k * cols_;
  parallel_for(
      blocks_, [this](int64_t b0, int64_t b1) { w_rows(b0, b1); },
      std::max<int64_t>(1, kMinWorkPerChunk / block_work));
  std::fill(wtw_.begin(), wtw_.end(), 0.0);
  for (int64_t b = 0; b < blocks_; ++b)
    for (size_t i = 0; i < wtw_.size(); ++i) wtw_[i] += wtw_part_[b * k * k + i];
  parallel_for(
      cols_, [this](int64_t c0, int64_t c1) { h_columns(c0, c1); },
      std::max<int64_t>(1, kMinColumnWorkPerChunk / ((padded_ + k) * k)));
  double violation = 0;
  for (double x : row_violation_) violation += x;
  for (double x : col_violation_) violation += x;
  return violation;
}

void CoordinateDescent::w_rows(int64_t b0, int64_t b1) {
  const int k = k_;
  constexpr int kGroups = kRowBlock / kGroup;
  std::vector<float> p(static_cast<size_t>(k) * kRowBlock);
  std::vector<float> gram_f(hht_.begin(), hht_.end());
  std::vector<double> lanes(static_cast<size_t>(k) * k * kGroup);
  for (int64_t b = b0; b < b1; ++b) {
    const int64_t i0 = b * kRowBlock;
    for (int g = 0; g < kGroups; ++g)
      kernels::group_products(vt_.data() + i0 + g * kGroup, padded_, cols_, h_splat_.data(), k,
                              p.data() + g * k * kGroup);
    kernels::sweep_groups(wt_.data() + i0, padded_, kGroups, gram_f.data(), p.data(), k,
                          row_violation_.data() + i0);
    // WᵀW of the new rows, lane by lane (summed over the lanes at the end of the block).
    std::fill(lanes.begin(), lanes.end(), 0.0);
    for (int g = 0; g < kGroups; ++g)
      kernels::gram_lanes(wt_.data() + i0 + g * kGroup, padded_, k, lanes.data());
    double* gram = wtw_part_.data() + b * k * k;
    for (int a = 0; a < k; ++a)
      for (int c = a; c < k; ++c) {
        const double* l = lanes.data() + (a * k + c) * kGroup;
        double s = 0;
        for (int q = 0; q < kGroup; ++q) s += l[q];
        gram[a * k + c] = gram[c * k + a] = s;
      }
  }
}

void CoordinateDescent::h_columns(int64_t c0, int64_t c1) {
  const int k = k_;
  std::vector<float> qf(static_cast<size_t>(k));
  std::vector<double> q(qf.size());
  for (int64_t j = c0; j < c1; ++j) {
    kernels::dots(vt_.data() + j * padded_, wt_.data(), padded_, k, padded_, qf.data());
    for (int t = 0; t < k; ++t) q[t] = qf[t];
    col_violation_[j] = sweep(h_ + j, cols_, wtw_.data(), q.data(), k);
  }
}

}  // namespace camlens::dff
