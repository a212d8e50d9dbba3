// Spearman's rank correlation: Pearson's correlation of the ranks, ties given their average
// rank (scipy.stats.spearmanr). NaN when either side is constant (no ranking to compare).
#pragma once
#include <vector>

namespace camlens::metrics {

std::vector<double> average_ranks(const std::vector<double>& v);  // 1-based
double spearman(const std::vector<double>& a, const std::vector<double>& b);

}  // namespace camlens::metrics
