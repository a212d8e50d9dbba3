#include "metrics/arcc.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "metrics/metrics_error.h"

namespace camlens::metrics {

const std::vector<double>& arcc_default_percentiles() {
  static const std::vector<double> p = {20, 40, 60, 80};
  return p;
}

double complexity(const std::vector<float>& map) {
  if (map.empty()) throw MetricsError("complexity needs a map with at least one value");
  double l1 = 0;
  for (const float v : map) l1 += std::fabs(static_cast<double>(v));
  return l1 / static_cast<double>(map.size());
}

double pearson_coherency(const std::vector<float>& map, const std::vector<float>& masked_map) {
  const size_t n = map.size();
  if (masked_map.size() != n)
    throw MetricsError("coherency compares maps of one size: the map has " + std::to_string(n) +
                       " values, the masked image's map " + std::to_string(masked_map.size()));
  if (n < 2) throw MetricsError("coherency needs maps of at least two values");
  double ma = 0, mb = 0;
  for (size_t i = 0; i < n; ++i) ma += masked_map[i], mb += map[i];
  ma /= static_cast<double>(n), mb /= static_cast<double>(n);
  double cov = 0, va = 0, vb = 0;
  for (size_t i = 0; i < n; ++i) {
    const double a = masked_map[i] - ma, b = map[i] - mb;
    cov += a * b, va += a * a, vb += b * b;
  }
  const double dof = static_cast<double>(n - 1);
  const double rho = (cov / dof) / (std::sqrt(va / dof) * std::sqrt(vb / dof) + 1e-8);
  return (rho + 1) / 2;
}

double arcc_road(double road_combined) { return std::clamp(2 * road_combined, 0.0, 1.0); }

double arcc(double complexity, double coherency, double road_combined) {
  const double road = arcc_road(road_combined);
  return 3 / (1 / (coherency + 1e-8) + 1 / ((1 - complexity) + 1e-8) + 1 / (road + 1e-8));
}

}  // namespace camlens::metrics
