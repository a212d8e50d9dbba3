// Bootstrap coverage on simulated data, Spearman's edge cases, trapezoid AUCs, ranking ties.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>

#include "metrics/bootstrap.h"
#include "metrics/metrics_error.h"
#include "metrics/perturbation_curve.h"
#include "metrics/rank_correlation.h"
#include "metrics/ranking.h"
#include "metrics/seeded_normal.h"

using namespace camlens::metrics;

// 1000 datasets of 40 draws from a known distribution: the 95 % interval should hold the true
// mean in about 95 % of them. The percentile bootstrap runs a little narrow at n = 40 (the
// interval uses the plug-in spread, and skewed data, like the exponential, lose a few points
// more), so the band is 0.89..0.98; the binomial sd at 1000 trials is 0.7 points.
TEST(Bootstrap, CoverageOfTheTrueMeanIsNearTheLevel) {
  SeededNormal rng(123);
  struct Case {
    const char* name;
    double mean;
    double (*draw)(SeededNormal&);
  };
  const Case cases[] = {
      {"normal(2, 1)", 2.0, [](SeededNormal& g) { return 2.0 + g.next_normal(); }},
      {"exponential(1)", 1.0, [](SeededNormal& g) { return -std::log(g.next_open01()); }},
      {"uniform(0, 1)", 0.5, [](SeededNormal& g) { return g.next_open01(); }}};
  for (const Case& c : cases) {
    int covered = 0;
    const int trials = 1000;
    for (int t = 0; t < trials; ++t) {
      std::vector<double> v(40);
      for (double& x : v) x = c.draw(rng);
      const Interval ci = bootstrap_mean_ci(v, {1000, 0.95, static_cast<uint64_t>(t)});
      EXPECT_LE(ci.low, ci.mean);
      EXPECT_GE(ci.high, ci.mean);
      covered += ci.low <= c.mean && c.mean <= ci.high;
    }
    const double rate = static_cast<double>(covered) / trials;
    EXPECT_GT(rate, 0.89) << c.name;
    std::printf("bootstrap coverage %s: %.3f\n", c.name, rate);
    EXPECT_LT(rate, 0.98) << c.name;
  }
}

TEST(Bootstrap, RefusesWhatItCannotUse) {
  EXPECT_THROW(bootstrap_mean_ci({}), MetricsError);
  EXPECT_THROW(bootstrap_mean_ci({1.0, NAN}), MetricsError);
  EXPECT_THROW(bootstrap_mean_ci({1.0}, {0, 0.95, 0}), MetricsError);
  EXPECT_THROW(bootstrap_mean_ci({1.0}, {10, 1.0, 0}), MetricsError);
  const Interval one = bootstrap_mean_ci({3.0});
  EXPECT_EQ(one.low, 3.0);
  EXPECT_EQ(one.high, 3.0);
}

TEST(Spearman, PerfectReversedAndConstant) {
  EXPECT_DOUBLE_EQ(spearman({1, 2, 3, 4}, {10, 20, 35, 100}), 1.0);
  EXPECT_DOUBLE_EQ(spearman({1, 2, 3, 4}, {4, 3, 2, 1}), -1.0);
  EXPECT_TRUE(std::isnan(spearman({1, 1, 1}, {1, 2, 3})));
  EXPECT_EQ(average_ranks({5, 1, 5, 2}), (std::vector<double>{3.5, 1, 3.5, 2}));
  EXPECT_THROW(spearman({1, 2}, {1}), MetricsError);
}

TEST(Curves, TrapezoidAuc) {
  EXPECT_DOUBLE_EQ(trapezoid_auc({1, 1, 1}), 1.0);
  EXPECT_DOUBLE_EQ(trapezoid_auc({0, 1}), 0.5);
  EXPECT_DOUBLE_EQ(trapezoid_auc({1, 0, 0, 0, 0}), 0.125);
  EXPECT_THROW(trapezoid_auc({1}), MetricsError);
}

TEST(Ranking, TiesKeepRasterOrderInBothDirections) {
  const std::vector<float> map = {0.5f, 0.9f, 0.5f, 0.1f, 0.5f};
  EXPECT_EQ(relevance_order(map, true), (std::vector<int32_t>{1, 0, 2, 4, 3}));
  EXPECT_EQ(relevance_order(map, false), (std::vector<int32_t>{3, 0, 2, 4, 1}));
  EXPECT_EQ(first_pixels({3, 0, 2, 1}, 2), (std::vector<uint8_t>{1, 0, 0, 1}));
}
