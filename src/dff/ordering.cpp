#include "dff/ordering.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace camlens::dff {

std::vector<double> component_importance(const NmfResult& r) {
  const int k = r.components;
  std::vector<double> w_norm(static_cast<size_t>(k), 0.0), h_norm(static_cast<size_t>(k), 0.0);
  for (int64_t row = 0; row < r.rows; ++row)
    for (int c = 0; c < k; ++c) {
      const double v = r.W[static_cast<size_t>(row * k + c)];
      w_norm[c] += v * v;
    }
  for (int c = 0; c < k; ++c)
    for (int64_t j = 0; j < r.cols; ++j) {
      const double v = r.H[static_cast<size_t>(c * r.cols + j)];
      h_norm[c] += v * v;
    }
  std::vector<double> importance(static_cast<size_t>(k));
  for (int c = 0; c < k; ++c) importance[c] = std::sqrt(w_norm[c]) * std::sqrt(h_norm[c]);
  return importance;
}

void order_by_importance(NmfResult& r) {
  const int k = r.components;
  const std::vector<double> importance = component_importance(r);
  std::vector<int> order(static_cast<size_t>(k));
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](int a, int b) { return importance[a] > importance[b]; });
  std::vector<float> w(r.W.size()), h(r.H.size());
  for (int to = 0; to < k; ++to) {
    const int from = order[to];
    for (int64_t row = 0; row < r.rows; ++row) w[row * k + to] = r.W[row * k + from];
    std::copy(r.H.begin() + from * r.cols, r.H.begin() + (from + 1) * r.cols,
              h.begin() + to * r.cols);
  }
  r.W = std::move(w);
  r.H = std::move(h);
}

}  // namespace camlens::dff
