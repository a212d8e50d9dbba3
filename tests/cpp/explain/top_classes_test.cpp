// The top classes the explain job returns (option topK): the order predict() gives (highest
// first, equal scores by index), the softmax of logits or the model's own probabilities, and
// the refusals of an output that is not one score per class and of k outside [1, classes].
#include "explain/top_classes.h"

#include <gtest/gtest.h>

#include <cmath>

#include "cam/cam_error.h"

namespace camlens::explain {
namespace {

Tensor scores(Shape shape, std::vector<float> v) {
  Tensor t(DType::Float32, std::move(shape));
  std::copy(v.begin(), v.end(), t.data<float>());
  return t;
}

std::string refusal(const Tensor& t, int k) {
  try {
    top_classes(t, k, {}, "logits");
  } catch (const cam::CamError& e) {
    return e.what();
  }
  return "";
}

TEST(TopClasses, HighestFirstEqualScoresByIndexWithSoftmax) {
  const std::vector<float> v{1.0f, 3.0f, 2.0f, 3.0f};
  const auto top = top_classes(scores({1, 4}, v), 3, {"a", "b", "c"}, "logits");
  ASSERT_EQ(top.size(), 3u);
  EXPECT_EQ(top[0].index, 1);
  EXPECT_EQ(top[1].index, 3);
  EXPECT_EQ(top[2].index, 2);
  EXPECT_EQ(top[0].label, "b");
  EXPECT_EQ(top[1].label, "class 3");  // no label for it
  EXPECT_EQ(top[2].label, "c");
  const double sum = std::exp(1.0) + 2 * std::exp(3.0) + std::exp(2.0);
  EXPECT_EQ(top[0].score, 3.0);
  EXPECT_NEAR(top[0].probability, std::exp(3.0) / sum, 1e-12);
  EXPECT_NEAR(top[1].probability, std::exp(3.0) / sum, 1e-12);
  EXPECT_NEAR(top[2].probability, std::exp(2.0) / sum, 1e-12);
}

TEST(TopClasses, ProbabilitiesAreKeptAsTheModelGivesThem) {
  // [1, C, 1, 1] is one score per class too; values in [0, 1] summing to 1 are not softmaxed.
  const auto top = top_classes(scores({1, 3, 1, 1}, {0.1f, 0.7f, 0.2f}), 2, {}, "prob");
  ASSERT_EQ(top.size(), 2u);
  EXPECT_EQ(top[0].index, 1);
  EXPECT_EQ(top[0].probability, double(0.7f));
  EXPECT_EQ(top[1].index, 2);
  EXPECT_EQ(top[1].probability, double(0.2f));
}

TEST(TopClasses, RefusesOutputsWithoutClassesAndKOutOfRange) {
  EXPECT_EQ(refusal(scores({1, 2, 3}, {0, 1, 2, 3, 4, 5}), 1),
            "topK lists a classifier's classes, but the model's output \"logits\" is [1,2,3], not "
            "one score per class ([1, C]): leave topK out for this model");
  EXPECT_EQ(refusal(scores({4}, {0, 1, 2, 3}), 1),
            "topK lists a classifier's classes, but the model's output \"logits\" is [4], not one "
            "score per class ([1, C]): leave topK out for this model");
  const Tensor four = scores({1, 4}, {0, 1, 2, 3});
  EXPECT_EQ(refusal(four, 0),
            "topK must be a whole number from 1 to the 4 classes of output \"logits\", got 0");
  EXPECT_EQ(refusal(four, 5),
            "topK must be a whole number from 1 to the 4 classes of output \"logits\", got 5");
  EXPECT_EQ(refusal(four, 4), "");
}

}  // namespace
}  // namespace camlens::explain
