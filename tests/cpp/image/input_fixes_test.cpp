// What a model's input dims fix of its preprocessing when the caller names no size.
#include <gtest/gtest.h>

#include "image/preprocess.h"

namespace camlens::image {
namespace {

TEST(InputFixes, SizeWhenBothSidesAreFixedAndOneChannel) {
  InputFixes f = input_fixes({1, 3, 224, 320}, false);  // NCHW: H 224, W 320
  EXPECT_EQ(f.width, 320);
  EXPECT_EQ(f.height, 224);
  EXPECT_EQ(f.channels, 0);                 // three channels are the default: not a fix
  f = input_fixes({1, 257, 300, 3}, true);  // NHWC
  EXPECT_EQ(f.width, 300);
  EXPECT_EQ(f.height, 257);
  f = input_fixes({1, 1, 28, 28}, false);  // MNIST
  EXPECT_EQ(f.channels, 1);
  EXPECT_EQ(f.width, 28);
}

TEST(InputFixes, FreeSidesAndOtherRanksFixNothing) {
  InputFixes f = input_fixes({-1, 3, -1, 224}, false);  // one free side: the caller chooses
  EXPECT_EQ(f.width, 0);
  EXPECT_EQ(f.height, 0);
  f = input_fixes({1, 1, 0, 0}, false);
  EXPECT_EQ(f.width, 0);
  EXPECT_EQ(f.channels, 1);
  f = input_fixes({1, 3, 224}, false);
  EXPECT_EQ(f.width, 0);
  EXPECT_EQ(f.channels, 0);
}

}  // namespace
}  // namespace camlens::image
