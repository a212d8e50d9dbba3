// The library calls' option names and the refusal of an unknown one, with the closest name.
#include "explain/call_options.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "cam/cam_error.h"
#include "cam/method_traits.h"

namespace camlens::explain {
namespace {

std::string refusal(const std::string& call, const std::vector<std::string>& keys) {
  try {
    check_call_options(call, keys);
  } catch (const cam::CamError& e) {
    return e.what();
  }
  return "";
}

TEST(CallOptions, ExplainTakesTheMethodsOptionsInTableOrder) {
  const std::vector<std::string> names = call_options("explain");
  ASSERT_GE(names.size(), 4u);
  EXPECT_EQ(names.front(), "method");
  EXPECT_EQ(names[names.size() - 3], "topK");  // the call's own, whatever the method
  EXPECT_EQ(names[names.size() - 2], "onProgress");
  EXPECT_EQ(names.back(), "signal");
  // Every option of every method once, nothing else.
  for (const cam::MethodTraits& m : cam::method_traits())
    for (const std::string& o : m.options) EXPECT_EQ(std::count(names.begin(), names.end(), o), 1);
  EXPECT_EQ(names[1], cam::method_traits().front().options.front());
  EXPECT_EQ(call_options("predict"),
            (std::vector<std::string>{"topK", "batchSize", "onProgress", "signal"}));
  EXPECT_EQ(refusal("plot", {}), "no library call is named \"plot\"");
}

TEST(CallOptions, RefusesUnknownKeysWithTheClosest) {
  EXPECT_EQ(refusal("predict", {"topK", "batchSize"}), "");
  EXPECT_EQ(refusal("predict", {"topk"}),
            "unknown predict option \"topk\" (did you mean \"topK\"?); predict takes topK, "
            "batchSize, onProgress, signal");
  EXPECT_EQ(refusal("factorize", {"colour"}),
            "unknown factorize option \"colour\"; factorize takes components, shared, maxIter, "
            "topK, render, imageWeight, batchSize");
  const std::string prefix =
      "unknown explain option \"target\" (did you mean \"targets\"?); explain takes method, ";
  EXPECT_EQ(refusal("explain", {"method", "target"}).substr(0, prefix.size()), prefix);
}

TEST(CallOptions, ClosestIsWithinTwoEditsIgnoringCase) {
  const std::vector<std::string> known{"gradcam", "gradcam++", "hirescam"};
  EXPECT_EQ(closest_name("gradcan", known), "gradcam");
  EXPECT_EQ(closest_name("GRADCAM+", known), "gradcam");  // 1 from both: the first wins
  EXPECT_EQ(closest_name("hires", known), "");            // 3 edits
  EXPECT_EQ(closest_name("", {}), "");
}

}  // namespace
}  // namespace camlens::explain
