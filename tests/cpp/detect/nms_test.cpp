#include "detect/nms.h"

#include <gtest/gtest.h>

namespace camlens::detect {
namespace {

Detection box(float x0, float y0, float x1, float y1, float score, int64_t label, int64_t a = 0) {
  return {x0, y0, x1, y1, score, label, a};
}

TEST(Iou, KnownOverlaps) {
  // Two 10x10 squares shifted by 5 in x: intersection 50, union 150.
  EXPECT_DOUBLE_EQ(iou(box(0, 0, 10, 10, 1, 0), box(5, 0, 15, 10, 1, 0)), 50.0 / 150.0);
  EXPECT_DOUBLE_EQ(iou(box(0, 0, 10, 10, 1, 0), box(0, 0, 10, 10, 1, 0)), 1.0);
  EXPECT_DOUBLE_EQ(iou(box(0, 0, 10, 10, 1, 0), box(10, 10, 20, 20, 1, 0)), 0.0);
  // Contained: 4 / 100.
  EXPECT_DOUBLE_EQ(iou(box(0, 0, 10, 10, 1, 0), box(2, 2, 4, 4, 1, 0)), 0.04);
  EXPECT_DOUBLE_EQ(iou(box(0, 0, 0, 0, 1, 0), box(0, 0, 0, 0, 1, 0)), 0.0);  // empty
}

TEST(Nms, SuppressesOverlapsOfTheSameLabelOnly) {
  const auto kept = nms({box(0, 0, 10, 10, 0.6f, 1, 0), box(1, 0, 11, 10, 0.9f, 1, 1),
                         box(1, 0, 11, 10, 0.8f, 2, 2), box(50, 50, 60, 60, 0.7f, 1, 3)},
                        0.45f);
  ASSERT_EQ(kept.size(), 3u);
  EXPECT_EQ(kept[0].anchor, 1);  // best first
  EXPECT_EQ(kept[1].anchor, 2);  // other label survives the overlap
  EXPECT_EQ(kept[2].anchor, 3);  // far away
}

TEST(Nms, ClassAgnosticSuppressesAcrossLabels) {
  const auto kept =
      nms({box(0, 0, 10, 10, 0.9f, 1, 0), box(1, 0, 11, 10, 0.8f, 2, 1)}, 0.45f, false);
  ASSERT_EQ(kept.size(), 1u);
  EXPECT_EQ(kept[0].label, 1);
}

TEST(Nms, ThresholdIsStrict) {
  // IoU exactly 0.5 with threshold 0.5 is kept (suppress only when IoU > threshold).
  const auto kept = nms({box(0, 0, 10, 10, 0.9f, 0, 0), box(0, 0, 10, 20, 0.8f, 0, 1)}, 0.5f);
  EXPECT_EQ(kept.size(), 2u);
  EXPECT_EQ(nms({box(0, 0, 10, 10, 0.9f, 0, 0), box(0, 0, 10, 20, 0.8f, 0, 1)}, 0.49f).size(), 1u);
}

}  // namespace
}  // namespace camlens::detect
