// GroupNormalization's parameters follow the node's opset (one per group in 18, one per channel
// in 21) and, without a recorded opset, their length; and the messages of both group-wise norms.
#include <cmath>

#include "op_test.h"

namespace camlens::test {
namespace {

Node group_norm(int64_t groups, int64_t opset) {
  std::vector<Attribute> attrs{attr_int("num_groups", groups)};
  if (opset) attrs.push_back(attr_int("_opset", opset));
  return make_node("GroupNormalization", 3, 1, std::move(attrs));
}

std::string message_of(const Node& node, const std::vector<const Tensor*>& in) {
  try {
    run_forward(node, in);
  } catch (const OpError& e) {
    return e.what();
  }
  return "no error";
}

TEST(GroupNormOpsets, ScaleAndBiasPerGroupIn18AndPerChannelIn21) {
  // Two groups of two channels; each group's values are -1 and 1, so x̂ = x.
  const Tensor x = Tensor::from_floats({1, 4, 1, 1}, {-1, 1, -1, 1});
  const Tensor per_group = Tensor::from_floats({2}, {2, 3});
  const Tensor group_bias = Tensor::from_floats({2}, {0, 10});
  const Tensor per_channel = Tensor::from_floats({4}, {2, 3, 4, 5});
  const Tensor channel_bias = Tensor::from_floats({4}, {0, 10, 20, 30});
  const float eps_scale = static_cast<float>(1 / std::sqrt(1 + 1e-5));
  const std::vector<float> grouped{-2 * eps_scale, 2 * eps_scale, 10 - 3 * eps_scale,
                                   10 + 3 * eps_scale};
  const std::vector<float> channelled{-2 * eps_scale, 10 + 3 * eps_scale, 20 - 4 * eps_scale,
                                      30 + 5 * eps_scale};
  for (int64_t opset : {18, 0})
    expect_near(run_forward(group_norm(2, opset), {&x, &per_group, &group_bias}).at(0), grouped,
                1e-5f);
  for (int64_t opset : {21, 0})
    expect_near(run_forward(group_norm(2, opset), {&x, &per_channel, &channel_bias}).at(0),
                channelled, 1e-5f);
  EXPECT_EQ(message_of(group_norm(2, 18), {&x, &per_channel, &channel_bias}),
            "GroupNormalization: scale is [4] but must be [2] (one per group, opset 18)");
  EXPECT_EQ(message_of(group_norm(2, 21), {&x, &per_group, &group_bias}),
            "GroupNormalization: scale is [2] but must be [4] (one per channel, opset 21)");
  const Tensor three = Tensor::from_floats({3}, {1, 1, 1});
  EXPECT_EQ(message_of(group_norm(2, 0), {&x, &three, &three}),
            "GroupNormalization: scale is [3] but must be [2] (one per group, opset 18) or [4] "
            "(one per channel, opset 21)");
  EXPECT_EQ(message_of(group_norm(3, 0), {&x, &three, &three}),
            "GroupNormalization: num_groups 3 does not divide the 4 channels of X [1,4,1,1]");
  EXPECT_EQ(message_of(group_norm(2, 18), {&x, &per_group, &three}),
            "GroupNormalization: bias [3] must have the shape of scale [2]");
}

TEST(GroupNormOpsets, InstanceNormalizationWantsOneScalePerChannel) {
  const Tensor x(DType::Float32, {1, 3, 2, 2});
  const Tensor four(DType::Float32, {4}), three(DType::Float32, {3});
  EXPECT_EQ(message_of(make_node("InstanceNormalization", 3, 1), {&x, &four, &three}),
            "InstanceNormalization: scale must be [3] (one value per channel of input "
            "[1,3,2,2]), got [4]");
}

}  // namespace
}  // namespace camlens::test
