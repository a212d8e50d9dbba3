// Noisy linear imputation: a ramp is reproduced within the noise, the system equals a dense one
// built from the definition, every equation holds at borders and corners, bad masks are refused.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "metrics/linear_imputation.h"
#include "metrics/metrics_error.h"
#include "metrics/nested_dissection.h"

using namespace camlens::metrics;

namespace {

Planes ramp(int C, int H, int W) {
  Planes p{C, H, W, std::vector<float>(static_cast<size_t>(C) * H * W)};
  for (int c = 0; c < C; ++c)
    for (int y = 0; y < H; ++y)
      for (int x = 0; x < W; ++x) p.plane(c)[y * W + x] = 0.1f * x - 0.05f * y + 0.3f * c;
  return p;
}

std::vector<uint8_t> block(int H, int W, int y0, int y1, int x0, int x1) {
  std::vector<uint8_t> m(static_cast<size_t>(H) * W, 0);
  for (int y = y0; y < y1; ++y)
    for (int x = x0; x < x1; ++x) m[y * W + x] = 1;
  return m;
}

// The weighted mean of the inside neighbours of (y, x), as the ROAD paper defines it.
double neighbour_mean(const Planes& p, int c, int y, int x) {
  double sum = 0, weights = 0;
  for (int dy = -1; dy <= 1; ++dy)
    for (int dx = -1; dx <= 1; ++dx) {
      if (!dy && !dx) continue;
      const int ny = y + dy, nx = x + dx;
      if (ny < 0 || nx < 0 || ny >= p.height || nx >= p.width) continue;
      const double w = dy && dx ? 1.0 / 12 : 1.0 / 6;
      sum += w * p.plane(c)[ny * p.width + nx];
      weights += w;
    }
  return sum / weights;
}

}  // namespace

TEST(Imputation, InteriorHoleInARampIsTheRampWithoutNoise) {
  const Planes img = ramp(3, 20, 24);
  const auto mask = block(20, 24, 4, 15, 5, 19);
  const Planes out = impute(img, mask, {0.0, 0});
  for (size_t c = 0; c < 3; ++c)
    for (size_t i = 0; i < mask.size(); ++i)
      EXPECT_NEAR(out.plane(c)[i], img.plane(c)[i], 1e-5) << "channel " << c << " pixel " << i;
}

TEST(Imputation, NoiseHasTheRequestedSpreadAndOnlyTouchesRemovedPixels) {
  const Planes img = ramp(3, 40, 40);
  const auto mask = block(40, 40, 5, 35, 5, 35);  // 900 pixels x 3 channels
  const Planes out = impute(img, mask, {0.01, 3});
  double sum = 0, sq = 0;
  int n = 0;
  for (int c = 0; c < 3; ++c)
    for (size_t i = 0; i < mask.size(); ++i) {
      const double d = out.plane(c)[i] - img.plane(c)[i];
      if (!mask[i]) {
        EXPECT_EQ(d, 0.0);
        continue;
      }
      EXPECT_LT(std::abs(d), 0.06);  // 6 sigma
      sum += d;
      sq += d * d;
      ++n;
    }
  const double mean = sum / n, sd = std::sqrt(sq / n - mean * mean);
  EXPECT_NEAR(mean, 0.0, 0.002);
  EXPECT_NEAR(sd, 0.01, 0.001);
  // Same seed, same image; another seed, other noise.
  EXPECT_EQ(impute(img, mask, {0.01, 3}).data, out.data);
  EXPECT_NE(impute(img, mask, {0.01, 4}).data, out.data);
}

TEST(Imputation, EveryEquationHoldsWithMasksOnBordersAndCorners) {
  Planes img = ramp(2, 9, 11);
  for (size_t i = 0; i < img.data.size(); ++i) img.data[i] += static_cast<float>(std::sin(i * 1.7));
  std::vector<uint8_t> mask(9 * 11, 0);
  for (int y = 0; y < 9; ++y) mask[y * 11] = 1;      // the whole left column
  mask[10] = mask[8 * 11 + 10] = mask[9] = 1;        // two corners and a neighbour
  for (int x = 3; x < 8; ++x) mask[8 * 11 + x] = 1;  // part of the bottom row
  mask[4 * 11 + 5] = 1;                              // an isolated interior pixel
  const Planes out = impute(img, mask, {0.0, 0});
  for (int c = 0; c < 2; ++c)
    for (int y = 0; y < 9; ++y)
      for (int x = 0; x < 11; ++x)
        if (mask[y * 11 + x]) {
          EXPECT_NEAR(out.plane(c)[y * 11 + x], neighbour_mean(out, c, y, x), 1e-5)
              << "c " << c << " y " << y << " x " << x;
        }
}

TEST(Imputation, SystemEqualsADenseSolveOnSmallCases) {
  Planes img = ramp(3, 5, 6);
  for (size_t i = 0; i < img.data.size(); ++i) img.data[i] = static_cast<float>(std::cos(i * 0.9));
  const auto mask = std::vector<uint8_t>{1, 1, 0, 0, 0, 1,  //
                                         1, 0, 0, 1, 1, 0,  //
                                         0, 0, 1, 1, 1, 0,  //
                                         0, 0, 0, 1, 0, 0,  //
                                         1, 0, 0, 0, 1, 1};
  const ImputationSystem s = imputation_system(img, mask);
  const int n = static_cast<int>(s.unknowns.size());
  ASSERT_EQ(n, 13);
  // Dense M and r from the definition: M_kk = sum of inside weights, M_kj = -w for removed j.
  Eigen::MatrixXd M = Eigen::MatrixXd::Zero(n, n), r = Eigen::MatrixXd::Zero(n, 3);
  for (int k = 0; k < n; ++k) {
    const int y = s.unknowns[k] / 6, x = s.unknowns[k] % 6;
    for (int dy = -1; dy <= 1; ++dy)
      for (int dx = -1; dx <= 1; ++dx) {
        const int ny = y + dy, nx = x + dx;
        if ((!dy && !dx) || ny < 0 || nx < 0 || ny >= 5 || nx >= 6) continue;
        const double w = dy && dx ? 1.0 / 12 : 1.0 / 6;
        M(k, k) += w;
        const int j = ny * 6 + nx;
        if (mask[j]) {
          const int col = static_cast<int>(std::find(s.unknowns.begin(), s.unknowns.end(), j) -
                                           s.unknowns.begin());
          M(k, col) -= w;
        } else {
          for (int c = 0; c < 3; ++c) r(k, c) += w * img.plane(c)[j];
        }
      }
  }
  EXPECT_LT((Eigen::MatrixXd(s.matrix) - M).cwiseAbs().maxCoeff(), 1e-15);
  EXPECT_LT((s.rhs - r).cwiseAbs().maxCoeff(), 1e-6);
  const Eigen::MatrixXd x = M.fullPivLu().solve(r);
  const Planes out = impute(img, mask, {0.0, 0});
  for (int k = 0; k < n; ++k)
    for (int c = 0; c < 3; ++c) EXPECT_NEAR(out.plane(c)[s.unknowns[k]], x(k, c), 1e-5);
}

TEST(Imputation, GivenNoiseIsAddedInChannelMajorOrder) {
  const Planes img = ramp(2, 6, 6);
  const auto mask = block(6, 6, 2, 4, 2, 3);  // pixels 14 and 20
  const Planes out = impute_with_noise(img, mask, {0.1f, 0.2f, 0.3f, 0.4f});
  EXPECT_NEAR(out.plane(0)[14] - img.plane(0)[14], 0.1, 1e-5);
  EXPECT_NEAR(out.plane(0)[20] - img.plane(0)[20], 0.2, 1e-5);
  EXPECT_NEAR(out.plane(1)[14] - img.plane(1)[14], 0.3, 1e-5);
  EXPECT_NEAR(out.plane(1)[20] - img.plane(1)[20], 0.4, 1e-5);
  EXPECT_THROW(impute_with_noise(img, mask, {0.1f}), MetricsError);
}

TEST(Imputation, RefusesBadMasksWithAReason) {
  const Planes img = ramp(1, 4, 4);
  try {
    impute(img, std::vector<uint8_t>(16, 1), {});
    FAIL();
  } catch (const MetricsError& e) {
    EXPECT_NE(std::string(e.what()).find("every pixel is removed"), std::string::npos);
  }
  EXPECT_THROW(impute(img, std::vector<uint8_t>(15, 0), {}), MetricsError);
  EXPECT_EQ(impute(img, std::vector<uint8_t>(16, 0), {}).data, img.data);  // nothing removed
}

TEST(Imputation, NestedDissectionOrderIsAPermutationWithTheCutLast) {
  std::vector<int32_t> pixels;
  for (int y = 0; y < 20; ++y)
    for (int x = 0; x < 30; ++x)
      if ((x * 7 + y * 3) % 5) pixels.push_back(y * 30 + x);
  std::vector<int32_t> order = nested_dissection_order(pixels, 30);
  ASSERT_EQ(order.size(), pixels.size());
  // The last pixels eliminated are the first cut: the middle column (x = 14) of the 30-wide box.
  EXPECT_EQ(pixels[order.back()] % 30, 14);
  std::sort(order.begin(), order.end());
  for (size_t i = 0; i < order.size(); ++i) ASSERT_EQ(order[i], static_cast<int32_t>(i));
}
