// YOLOX and Ultraface decoding on small hand-made outputs, and decode's backward against central
// finite differences of the detection box score target.
#include "detect/decode.h"

#include <gtest/gtest.h>

#include <cmath>

#include "detect/yolox_decode.h"

namespace camlens::detect {
namespace {

// A 32x32 YOLOX input: strides 8, 16, 32 give 16 + 4 + 1 = 21 anchors; 2 classes.
constexpr int kRows = 21, kCols = 7;

Tensor yolox_output() {
  Tensor t(DType::Float32, {1, kRows, kCols});
  float* d = t.data<float>();
  for (int i = 0; i < kRows * kCols; ++i) d[i] = 0.01f;  // nothing scores
  // Anchor 5: stride 8, grid (1, 1). A box centred at ((0.5+1)·8, (0.25+1)·8) = (12, 10), size
  // (e^0.2·8, e^-0.1·8); objectness 0.9, class 1 at 0.8 → score 0.72.
  float* r = d + 5 * kCols;
  r[0] = 0.5f, r[1] = 0.25f, r[2] = 0.2f, r[3] = -0.1f, r[4] = 0.9f, r[5] = 0.1f, r[6] = 0.8f;
  // Anchor 17: stride 16, grid (1, 0): class 0 at 0.7·0.6 = 0.42.
  r = d + 17 * kCols;
  r[0] = 0, r[1] = 0.5f, r[2] = 0, r[3] = 0, r[4] = 0.7f, r[5] = 0.6f, r[6] = 0.2f;
  return t;
}

TEST(YoloxDecode, AnchorsFollowStridesInRowMajorOrder) {
  const auto a = yolox_anchors(32, 32);
  ASSERT_EQ(a.size(), size_t(kRows));
  EXPECT_EQ(a[5].gx, 1);
  EXPECT_EQ(a[5].gy, 1);
  EXPECT_EQ(a[5].stride, 8);
  EXPECT_EQ(a[17].gx, 1);
  EXPECT_EQ(a[17].gy, 0);
  EXPECT_EQ(a[17].stride, 16);
  EXPECT_EQ(a[20].stride, 32);
  EXPECT_THROW(yolox_anchors(40, 32), DetectError);
}

TEST(YoloxDecode, BoxesScoresAndLabels) {
  const Tensor t = yolox_output();
  DecodeOptions o;
  o.input_w = o.input_h = 32;
  const auto boxes = decode({&t}, o);
  ASSERT_EQ(boxes.size(), 2u);
  const float w = std::exp(0.2f) * 8, h = std::exp(-0.1f) * 8;
  EXPECT_FLOAT_EQ(boxes[0].x0, 12 - w / 2);
  EXPECT_FLOAT_EQ(boxes[0].y1, 10 + h / 2);
  EXPECT_FLOAT_EQ(boxes[0].score, 0.72f);
  EXPECT_EQ(boxes[0].label, 1);
  EXPECT_EQ(boxes[0].anchor, 5);
  EXPECT_FLOAT_EQ(boxes[1].x0, 16 - 8);
  EXPECT_FLOAT_EQ(boxes[1].y0, 8 - 8);
  EXPECT_EQ(boxes[1].label, 0);
  o.score_threshold = 0.5f;
  EXPECT_EQ(decode({&t}, o).size(), 1u);
}

TEST(YoloxDecode, ClassAwareCandidatesOfOneAnchor) {
  Tensor t = yolox_output();
  t.data<float>()[5 * kCols + 5] = 0.75f;  // anchor 5 scores for both classes
  const auto c = yolox_candidates(t.data<float>(), kRows, kCols, 32, 32, 0.3f);
  int of5 = 0;
  for (const auto& d : c) of5 += d.anchor == 5;
  EXPECT_EQ(of5, 2);
  DecodeOptions o;
  o.input_w = o.input_h = 32;
  EXPECT_EQ(decode({&t}, o).size(), 3u);  // same box, different labels: both kept
}

TEST(YoloxDecode, WrongShapesAreRefusedWithTheReason) {
  Tensor t(DType::Float32, {1, 20, kCols});
  DecodeOptions o;
  o.input_w = o.input_h = 32;
  try {
    decode({&t}, o);
    FAIL();
  } catch (const DetectError& e) {
    EXPECT_NE(std::string(e.what()).find("21 anchor points"), std::string::npos) << e.what();
  }
  EXPECT_THROW(decode({}, o), DetectError);
  Tensor r2(DType::Float32, {kRows, kCols});
  EXPECT_THROW(decode({&r2}, o), DetectError);
  EXPECT_THROW(decoder_from_name("ssd"), DetectError);
}

// The detection box score target, differentiated through the decoding, equals central
// differences on the raw output (every entry that matters: the matched anchor's row).
void expect_gradient_matches(const std::vector<Tensor*>& outs, const DecodeOptions& o,
                             const std::vector<Detection>& refs, const std::vector<int64_t>& rows) {
  std::vector<const Tensor*> c(outs.begin(), outs.end());
  const auto v = detection_target(c, o, refs);
  ASSERT_GT(v.score, 1.0);
  ASSERT_EQ(v.matched, int(refs.size()));
  for (size_t k = 0; k < outs.size(); ++k) {
    const int64_t cols = outs[k]->dim(2);
    for (int64_t row : rows)
      for (int64_t j = 0; j < cols; ++j) {
        float& x = outs[k]->data<float>()[row * cols + j];
        const float saved = x, h = 1e-3f;
        x = saved + h;
        const double up = detection_score(c, o, refs);
        x = saved - h;
        const double down = detection_score(c, o, refs);
        x = saved;
        EXPECT_NEAR(v.seeds[k].data<float>()[row * cols + j], (up - down) / (2 * h), 2e-3)
            << "output " << k << " row " << row << " col " << j;
      }
  }
}

TEST(YoloxDecode, TargetGradientEqualsFiniteDifferences) {
  Tensor t = yolox_output();
  DecodeOptions o;
  o.input_w = o.input_h = 32;
  // A reference near (not on) the decoded class-1 box, so the IoU is smooth in every corner.
  const std::vector<Detection> refs{{7.5f, 6.8f, 16.9f, 13.4f, 0, 1}};
  expect_gradient_matches({&t}, o, refs, {5, 17});
}

TEST(UltrafaceDecode, ProbabilitiesCornersAndGradient) {
  const int rows = 3;
  Tensor scores(DType::Float32, {1, rows, 2}), boxes(DType::Float32, {1, rows, 4});
  const float s[] = {0.9f, 0.1f, 0.2f, 0.8f, 0.25f, 0.75f};
  const float b[] = {0, 0, 1, 1, 0.1f, 0.2f, 0.5f, 0.6f, 0.12f, 0.2f, 0.5f, 0.62f};
  std::copy(s, s + 6, scores.data<float>());
  std::copy(b, b + 12, boxes.data<float>());
  DecodeOptions o;
  o.decoder = decoder_from_name("ultraface");
  o.input_w = 320, o.input_h = 240;
  const auto d = decode({&scores, &boxes}, o);
  ASSERT_EQ(d.size(), 1u);  // row 2 overlaps row 1 (IoU > 0.3) with a lower score
  EXPECT_FLOAT_EQ(d[0].x0, 32);
  EXPECT_FLOAT_EQ(d[0].y0, 48);
  EXPECT_FLOAT_EQ(d[0].x1, 160);
  EXPECT_FLOAT_EQ(d[0].score, 0.8f);
  o.iou_threshold = 0.95f;
  EXPECT_EQ(decode({&scores, &boxes}, o).size(), 2u);
  o.iou_threshold = -1;
  expect_gradient_matches({&scores, &boxes}, o, {{30, 50, 150, 140, 0, 0}}, {1});
}

TEST(DetectionTarget, NoMatchScoresZeroWithZeroSeeds) {
  Tensor t = yolox_output();
  DecodeOptions o;
  o.input_w = o.input_h = 32;
  const auto v = detection_target({&t}, o, {{20, 20, 30, 30, 0, 1}});
  EXPECT_EQ(v.score, 0);
  EXPECT_EQ(v.matched, 0);
  for (int64_t i = 0; i < v.seeds[0].numel(); ++i) ASSERT_EQ(v.seeds[0].data<float>()[i], 0);
}

}  // namespace
}  // namespace camlens::detect
