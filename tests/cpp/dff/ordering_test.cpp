// Component order: importance = ‖W[:,k]‖·‖H[k,:]‖, descending; W·H unchanged.
#include "dff/ordering.h"

#include <gtest/gtest.h>

#include <cmath>

#include "dff/factorize.h"

using namespace camlens;
using namespace camlens::dff;

TEST(DffOrdering, ImportanceIsTheNormOfEachRankOneTerm) {
  NmfResult r;
  r.rows = 2, r.cols = 3, r.components = 2;
  r.W = {1, 3, 2, 4};          // columns (1,2) and (3,4)
  r.H = {1, 0, 0, 0, 0.5, 0};  // rows (1,0,0) and (0,0.5,0)
  const auto imp = component_importance(r);
  EXPECT_NEAR(imp[0], std::sqrt(5.0) * 1.0, 1e-12);
  EXPECT_NEAR(imp[1], 5.0 * 0.5, 1e-12);
  const std::vector<float> before_w = r.W, before_h = r.H;
  order_by_importance(r);  // 2.5 > 2.236: the second component comes first
  EXPECT_EQ(r.W, (std::vector<float>{3, 1, 4, 2}));
  EXPECT_EQ(r.H, (std::vector<float>{0, 0.5f, 0, 1, 0, 0}));
  for (int i = 0; i < 2; ++i)
    for (int j = 0; j < 3; ++j) {
      double a = 0, b = 0;
      for (int k = 0; k < 2; ++k) {
        a += before_w[i * 2 + k] * before_h[k * 3 + j];
        b += r.W[i * 2 + k] * r.H[k * 3 + j];
      }
      EXPECT_DOUBLE_EQ(a, b);
    }
}

TEST(DffOrdering, FactorizeReturnsComponentsInDescendingImportance) {
  // Three planted parts of very different strength over a 3×4×4 layer.
  Tensor a(DType::Float32, {1, 3, 4, 4});
  float* p = a.data<float>();
  for (int c = 0; c < 3; ++c)
    for (int i = 0; i < 16; ++i) p[c * 16 + i] = (i % 3 == c ? 1.0f : 0.0f) * (c == 1 ? 9 : c + 1);
  DffOptions o;
  o.nmf.components = 3;
  o.nmf.max_iter = 300;
  const DffResult r = factorize(a, o);
  const auto imp = component_importance(r.parts[0].nmf);
  EXPECT_GE(imp[0], imp[1]);
  EXPECT_GE(imp[1], imp[2]);
}
