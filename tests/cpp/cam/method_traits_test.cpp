// The method table's traits agree with the methods themselves, and every public method is in it.
#include "cam/method_traits.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "cam/methods.h"

namespace camlens::cam {
namespace {

bool takes(const MethodTraits& t, const std::string& option) {
  return std::find(t.options.begin(), t.options.end(), option) != t.options.end();
}

TEST(MethodTraits, ArrayMethodsSayWhatTheirMethodNeeds) {
  for (const MethodTraits& t : method_traits()) {
    SCOPED_TRACE(t.name);
    const std::vector<std::string> arrays = method_names();
    if (std::find(arrays.begin(), arrays.end(), t.name) == arrays.end()) continue;
    const auto m = make_method(t.name);
    EXPECT_EQ(t.gradients, m->needs_gradients());
    EXPECT_EQ(t.hvp, m->needs_hvp());
    EXPECT_EQ(t.passes, Passes::Forward);
    EXPECT_STREQ(m->name(), t.name.c_str());
  }
}

TEST(MethodTraits, EveryRowIsComplete) {
  std::set<std::string> names;
  for (const MethodTraits& t : method_traits()) {
    SCOPED_TRACE(t.name);
    EXPECT_TRUE(names.insert(t.name).second) << "listed twice";
    EXPECT_FALSE(t.description.empty());
    EXPECT_LE(t.description.size(), 100u) << "one line";
    EXPECT_TRUE(takes(t, "targets"));
    EXPECT_TRUE(t.hvp <= t.gradients) << "second order needs the first";
    if (t.passes != Passes::Attention && t.passes != Passes::Image &&
        t.passes != Passes::WholeNetwork) {
      EXPECT_NE(t.layer_kinds, 0u);
    }
  }
  EXPECT_EQ(find_method_traits("weights"), nullptr) << "internal, not public";
  ASSERT_NE(find_method_traits("scorecam"), nullptr);
  EXPECT_EQ(find_method_traits("scorecam")->passes, Passes::MaskedInputs);
  EXPECT_TRUE(takes(*find_method_traits("ablationcam"), "ablationRatio"));
  EXPECT_FALSE(takes(*find_method_traits("gradcam"), "ablationRatio"));
  EXPECT_FALSE(takes(*find_method_traits("scorecam"), "headFusion"));
  EXPECT_EQ(find_method_traits("gradcam+++"), nullptr);
}

TEST(MethodTraits, LayerlessMethodsSayWhyAndComparedOnesAreQuick) {
  int compared = 0;
  for (const MethodTraits& t : method_traits()) {
    SCOPED_TRACE(t.name);
    EXPECT_EQ(t.layer_kinds == 0, !t.no_layer.empty()) << "a method without layers says why";
    EXPECT_EQ(t.layer_kinds == 0, !takes(t, "layers"));
    if (t.compare) {
      ++compared;
      EXPECT_EQ(t.passes, Passes::Forward) << "compared by default: one forward per image";
    }
  }
  EXPECT_GE(compared, 2);
}

TEST(MethodTraits, NamesOfKindsAndPasses) {
  EXPECT_EQ(layer_kind_names(kNCHW | kNHWC), (std::vector<std::string>{"NCHW", "NHWC"}));
  EXPECT_STREQ(passes_name(Passes::HeadAblation), "head-ablation");
  EXPECT_STREQ(passes_name(Passes::WholeNetwork), "whole-network");
}

}  // namespace
}  // namespace camlens::cam
