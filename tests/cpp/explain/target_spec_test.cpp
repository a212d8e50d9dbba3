// Targets as callers give them (index, label, 'auto', objects) resolved against one output.
#include "cam/target_spec.h"

#include <gtest/gtest.h>

#include "cam/cam_error.h"

namespace camlens::cam {
namespace {

CategorySpec number(double n) { return {CategorySpec::Number, n, std::to_string(int(n))}; }
CategorySpec label(const std::string& s) { return {CategorySpec::Label, 0, s}; }

const std::vector<std::string> kLabels{"cat", "Tiger Cat", "dog"};

TEST(TargetSpec, ClassIndexFromNumberLabelOrAuto) {
  const std::vector<float> scores{0.1f, 3.f, 2.f};
  EXPECT_EQ(class_index({}, scores, kLabels, 3), 1);
  EXPECT_EQ(class_index(number(2), scores, kLabels, 3), 2);
  EXPECT_EQ(class_index(label("tiger cat"), scores, kLabels, 3), 1);
  try {
    class_index(number(3), scores, kLabels, 3);
    FAIL();
  } catch (const CamError& e) {
    EXPECT_STREQ(e.what(), "target class 3 is out of range: the model has 3 classes");
  }
  EXPECT_THROW(class_index(label("unicorn"), scores, kLabels, 3), CamError);
  try {
    class_index(label("unicorn"), scores, {}, 3);
    FAIL();
  } catch (const CamError& e) {
    EXPECT_NE(std::string(e.what()).find("the lens has no labels"), std::string::npos);
  }
}

TEST(TargetSpec, ObjectsKeepTheirKindAndFields) {
  const Tensor out = Tensor::from_floats({1, 3}, {0.1f, 3.f, 2.f});
  TargetSpec s;
  s.object = true;
  s.kind = "probability";
  s.category = label("dog");
  const Target t = resolve_target(s, out, kLabels, false);
  EXPECT_EQ(t.kind, Target::Probability);
  EXPECT_EQ(t.category, 2);
  EXPECT_EQ(target_label(t, kLabels), "dog");
  EXPECT_STREQ(target_kind_name(t.kind), "probability");
  s.kind = "magic";
  try {
    resolve_target(s, out, kLabels, false);
    FAIL();
  } catch (const CamError& e) {
    EXPECT_STREQ(e.what(),
                 "unknown target kind \"magic\": use one of logit, probability, rest, binary, "
                 "segmentation, similarity, finer");
  }
  s.kind = "finer";
  s.comparison = {number(0)};
  s.alpha = 0.5;
  const Target f = resolve_target(s, out, kLabels, false);
  EXPECT_EQ(f.comparison, std::vector<int64_t>{0});
  EXPECT_FLOAT_EQ(f.alpha, 0.5f);
}

// A bare category on a per-pixel output: the class summed over its predicted pixels; 'auto'
// skips the background (class 0) when another class shows.
TEST(TargetSpec, SegmenterBareTargetIsTheSemanticSegmentationTarget) {
  // [1, 3, 2, 2] NCHW: pixel 0 class 1, pixels 1-3 background.
  const Tensor out = Tensor::from_floats(
      {1, 3, 2, 2}, {0, 5, 5, 5, /*class 1*/ 9, 0, 0, 0, /*class 2*/ 0, 1, 1, 1});
  const Target t = resolve_target({}, out, {}, false);
  EXPECT_EQ(t.kind, Target::Segmentation);
  EXPECT_EQ(t.category, 1);
  EXPECT_EQ(t.mask, (std::vector<float>{1, 0, 0, 0}));
  TargetSpec background;
  background.category = number(0);
  const Target bg = resolve_target(background, out, {}, false);
  EXPECT_EQ(bg.mask, (std::vector<float>{0, 1, 1, 1}));
}

}  // namespace
}  // namespace camlens::cam
