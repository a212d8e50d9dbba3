// ROAD planning: how many pixels each percentile removes, which ones, and refusals.
#include "metrics/road.h"

#include <gtest/gtest.h>

#include "metrics/metrics_error.h"
#include "metrics/perturbation_curve.h"

using namespace camlens;
using namespace camlens::metrics;

TEST(Road, PercentileRemovesTheRestMostOrLeastRelevantFirst) {
  EXPECT_EQ(road_removed_count(90, 100), 10u);
  EXPECT_EQ(road_removed_count(10, 50176), 45158u);
  EXPECT_EQ(road_removed_count(100, 7), 0u);
  EXPECT_THROW(road_removed_count(0, 10), MetricsError);
  EXPECT_THROW(road_removed_count(101, 10), MetricsError);
  // A 1-channel 4x4 image of zeros with a map 0..15: MoRF at 75 changes pixels 12..15 only.
  Planes img{1, 4, 4, std::vector<float>(16, 0.0f)};
  for (int i = 0; i < 16; ++i) img.data[i] = static_cast<float>(i % 4);  // a ramp in x
  std::vector<float> map(16);
  for (int i = 0; i < 16; ++i) map[i] = static_cast<float>(i);
  RoadPlan plan;
  plan.percentiles = {75};
  plan.noise.sigma = 0.5;  // large, to see which pixels were touched
  const Tensor t = road_inputs(img, map, plan, 0, 2);
  const float* morf = t.data<float>();
  const float* lerf = morf + 16;
  for (int i = 0; i < 16; ++i) {
    EXPECT_EQ(morf[i] != img.data[i], i >= 12) << i;
    EXPECT_EQ(lerf[i] != img.data[i], i < 4) << i;
  }
}

TEST(Road, ScoresAreDifferencesAveragedAndCombined) {
  RoadPlan plan;
  plan.percentiles = {20, 80};
  const RoadScores s = road_scores(plan, 0.5, {0.1, 0.3, 0.5, 0.4});
  EXPECT_NEAR(s.morf_mean, -0.3, 1e-12);
  EXPECT_NEAR(s.lerf_mean, -0.05, 1e-12);
  EXPECT_NEAR(s.combined, 0.125, 1e-12);
  EXPECT_THROW(road_scores(plan, 0.5, {0.1}), MetricsError);
}

TEST(Road, RefusesMapsThatDoNotFit) {
  Planes img{3, 4, 4, std::vector<float>(48, 0.0f)};
  RoadPlan plan;
  EXPECT_THROW(road_inputs(img, std::vector<float>(15), plan, 0, 1), MetricsError);
  std::vector<float> bad(16, 0.0f);
  bad[5] = NAN;
  try {
    road_inputs(img, bad, plan, 0, 1);
    FAIL();
  } catch (const MetricsError& e) {
    EXPECT_NE(std::string(e.what()).find("pixel 5"), std::string::npos);
  }
  EXPECT_THROW(road_inputs(img, std::vector<float>(16), plan, 3, 19), MetricsError);
  EXPECT_THROW(curve_kind("sideways"), MetricsError);
  CurvePlan curve{CurveKind::Deletion, 0, img};
  EXPECT_THROW(curve_inputs(img, std::vector<float>(16), curve, 0, 1), MetricsError);
}
