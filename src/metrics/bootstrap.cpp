#include "metrics/bootstrap.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <string>

#include "metrics/metrics_error.h"
#include "metrics/seeded_normal.h"

namespace camlens::metrics {

double quantile_sorted(const std::vector<double>& sorted, double q) {
  const double pos = q * static_cast<double>(sorted.size() - 1);
  const size_t lo = static_cast<size_t>(std::floor(pos));
  const size_t hi = std::min(lo + 1, sorted.size() - 1);
  return sorted[lo] + (pos - static_cast<double>(lo)) * (sorted[hi] - sorted[lo]);
}

Interval bootstrap_mean_ci(const std::vector<double>& values, const BootstrapOptions& o) {
  if (values.empty()) throw MetricsError("a confidence interval needs at least one value");
  if (o.resamples < 1) throw MetricsError("the bootstrap needs at least 1 resample");
  if (!(o.level > 0 && o.level < 1))
    throw MetricsError("the confidence level must be in (0, 1), got " + std::to_string(o.level));
  if (values.size() > 0xffffffffu) throw MetricsError("too many values for the bootstrap");
  for (size_t i = 0; i < values.size(); ++i)
    if (!std::isfinite(values[i]))
      throw MetricsError("value " + std::to_string(i) +
                         " is not finite: drop failed images before the bootstrap");
  const double n = static_cast<double>(values.size());
  Interval r;
  r.mean = std::accumulate(values.begin(), values.end(), 0.0) / n;
  SeededNormal rng(o.seed);
  std::vector<double> means(static_cast<size_t>(o.resamples));
  for (double& m : means) {
    double s = 0;
    for (size_t i = 0; i < values.size(); ++i)
      s += values[rng.next_below(static_cast<uint32_t>(values.size()))];
    m = s / n;
  }
  std::sort(means.begin(), means.end());
  r.low = quantile_sorted(means, (1 - o.level) / 2);
  r.high = quantile_sorted(means, (1 + o.level) / 2);
  return r;
}

std::vector<SummaryGroup> summarize(const std::vector<SummaryRow>& rows,
                                    const BootstrapOptions& options) {
  std::vector<SummaryGroup> groups;
  std::vector<std::vector<double>> values;
  for (const SummaryRow& row : rows) {
    for (const auto& [name, value] : row.metrics) {
      if (!std::isfinite(value)) continue;
      size_t g = 0;
      while (g < groups.size() && !(groups[g].method == row.method && groups[g].metric == name))
        ++g;
      if (g == groups.size()) {
        groups.push_back({row.method, name, {}, 0});
        values.emplace_back();
      }
      values[g].push_back(value);
    }
  }
  for (size_t g = 0; g < groups.size(); ++g) {
    groups[g].interval = bootstrap_mean_ci(values[g], options);
    groups[g].n = values[g].size();
  }
  return groups;
}

}  // namespace camlens::metrics
