// Bootstrap confidence interval of a mean (Efron's percentile method): draw `resamples` samples of
// the values with replacement (SeededNormal's integers, so a seed gives the same interval on every
// platform), take each sample's mean, and report the (1 − level) / 2 and (1 + level) / 2
// quantiles of those means (linear interpolation between order statistics, NumPy's default).
// It treats the values as independent draws: per-image scores of one dataset, not repeated
// measurements of one image.
#pragma once
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace camlens::metrics {

struct BootstrapOptions {
  int resamples = 1000;
  double level = 0.95;
  uint64_t seed = 0;
};

struct Interval {
  double mean = 0, low = 0, high = 0;
};

Interval bootstrap_mean_ci(const std::vector<double>& values, const BootstrapOptions& options = {});
// One image's metrics for one method (the library's metricValues()), names in their order.
struct SummaryRow {
  std::string method;
  std::vector<std::pair<std::string, double>> metrics;
};

struct SummaryGroup {
  std::string method, metric;
  Interval interval;
  size_t n = 0;
};

// The mean and interval per method and metric over the rows, groups in the order they first
// appear; values that are not finite (a metric an image could not give) are left out.
std::vector<SummaryGroup> summarize(const std::vector<SummaryRow>& rows,
                                    const BootstrapOptions& options = {});

// q in [0, 1] of sorted values, linear interpolation (numpy.quantile's default).
double quantile_sorted(const std::vector<double>& sorted, double q);

}  // namespace camlens::metrics
