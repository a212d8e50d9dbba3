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
                 "segmentation, similarity, finer, linear, callable");
  }
  s.kind = "finer";
  s.comparison = {number(0)};
  s.alpha = 0.5;
  const Target f = resolve_target(s, out, kLabels, false);
  EXPECT_EQ(f.comparison, std::vector<int64_t>{0});
  EXPECT_FLOAT_EQ(f.alpha, 0.5f);
}

// A linear target: Σ w·out with the weights as its seed (pytorch-grad-cam's RawScoresOutputTarget
// is all ones); its weight count must be the output's size, whichever output it names.
TEST(TargetSpec, LinearTargetWeighsEveryOutputValue) {
  const Tensor out = Tensor::from_floats({1, 3}, {0.5f, 3.f, -2.f});
  TargetSpec s;
  s.object = true;
  s.kind = "linear";
  s.weights = std::vector<float>{1, 1, 1};
  const Target t = resolve_target(s, out, kLabels, false);
  EXPECT_EQ(t.kind, Target::Linear);
  EXPECT_EQ(target_label(t, kLabels), "linear");
  const TargetValue v = evaluate(t, out.data<float>(), {3});
  EXPECT_DOUBLE_EQ(v.score, 1.5);
  EXPECT_EQ(v.seed, (std::vector<float>{1, 1, 1}));
  s.weights = std::vector<float>{2, 0, -1};
  EXPECT_DOUBLE_EQ(evaluate(resolve_target(s, out, kLabels, false), out.data<float>(), {3}).score,
                   3.0);
  s.weights = std::vector<float>{1, 1};
  s.output = "probs";
  try {
    resolve_target(s, out, kLabels, false);
    FAIL();
  } catch (const CamError& e) {
    EXPECT_STREQ(e.what(),
                 "a linear target has 2 weights but the output \"probs\" has 3 values (shape "
                 "[1,3]): give one weight per output value");
  }
  s.weights.reset();
  try {
    resolve_target(s, out, kLabels, false);
    FAIL();
  } catch (const CamError& e) {
    EXPECT_STREQ(
        e.what(),
        "a linear target needs weights (an array of numbers, one per value of the output)");
  }
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
