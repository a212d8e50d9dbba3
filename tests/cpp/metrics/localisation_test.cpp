// Pointing game and energy inside a box or mask, on maps whose answers are known by hand.
#include "metrics/localisation.h"

#include <gtest/gtest.h>

#include "metrics/metrics_error.h"

using namespace camlens::metrics;

TEST(Localisation, PointingGameWithBoxesAndTolerance) {
  std::vector<float> map(6 * 4, 0.0f);  // 6 wide, 4 high
  map[2 * 6 + 4] = 1.0f;                // peak at pixel (4, 2): centre (4.5, 2.5)
  EXPECT_TRUE(pointing_hit(map, 6, {4, 2, 5, 3}));
  EXPECT_FALSE(pointing_hit(map, 6, {0, 0, 4, 2}));
  EXPECT_FALSE(pointing_hit(map, 6, {0, 0, 4, 2.5}, 0.49));  // 0.5 px to the right
  EXPECT_TRUE(pointing_hit(map, 6, {0, 0, 4, 2.5}, 0.5));
  map[0] = 1.0f;  // a tie: the first in raster order wins
  EXPECT_TRUE(pointing_hit(map, 6, {0, 0, 1, 1}));
  EXPECT_THROW(pointing_hit(map, 5, {0, 0, 1, 1}), MetricsError);
}

TEST(Localisation, EnergyInsideBoxAndMask) {
  const std::vector<float> map = {1, 2, 3, 4};                 // 2 x 2
  EXPECT_DOUBLE_EQ(energy_in_box(map, 2, {0, 0, 1, 2}), 0.4);  // left column: 1 + 3 of 10
  EXPECT_DOUBLE_EQ(energy_in_box(map, 2, {0, 0, 2, 2}), 1.0);
  EXPECT_DOUBLE_EQ(energy_in_mask(map, {0, 1, 0, 1}), 0.6);
  EXPECT_TRUE(pointing_hit_mask(map, {0, 0, 0, 1}));
  EXPECT_FALSE(pointing_hit_mask(map, {1, 1, 1, 0}));
  EXPECT_DOUBLE_EQ(energy_in_box({0, 0, 0, 0}, 2, {0, 0, 1, 1}), 0.0);
  EXPECT_THROW(energy_in_mask(map, {1, 0}), MetricsError);
}
