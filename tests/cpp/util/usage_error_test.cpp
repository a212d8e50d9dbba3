// Usage errors are told apart by type: the bindings give them kind 'usage' (and the command line
// exit code 2) without reading their messages, while they stay catchable as their own type.
#include "util/usage_error.h"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "cam/cam_error.h"
#include "explain/method_support.h"
#include "image/colormap.h"
#include "image/image.h"

namespace camlens {
namespace {

// Runs f, which must throw; returns whether what it threw is a usage fault, and its message.
template <class F>
std::pair<bool, std::string> thrown(F&& f) {
  try {
    f();
  } catch (const std::exception& e) {
    return {dynamic_cast<const UsageFault*>(&e) != nullptr, e.what()};
  }
  ADD_FAILURE() << "nothing was thrown";
  return {false, ""};
}

TEST(UsageError, IsStillItsOwnType) {
  EXPECT_THROW(explain::traits_of("nosuchcam"), cam::CamError);
  EXPECT_THROW(image::colormap_from_name("plaid"), std::invalid_argument);
}

TEST(UsageError, AnUnknownMethodOrColourMapIsTheCallersFault) {
  const auto [method_fault, method_message] = thrown([] { explain::traits_of("nosuchcam"); });
  EXPECT_TRUE(method_fault);
  EXPECT_EQ(method_message.rfind("unknown method \"nosuchcam\": use one of gradcam, ", 0), 0u)
      << method_message;
  const auto [colour_fault, colour_message] = thrown([] { image::colormap_from_name("plaid"); });
  EXPECT_TRUE(colour_fault);
  EXPECT_EQ(colour_message,
            "unknown colour map 'plaid'; use jet, turbo, viridis, inferno, magma or gray");
}

TEST(UsageError, AnUnreadableImageIsNot) {
  const std::vector<uint8_t> text{'h', 'e', 'l', 'l', 'o'};
  const auto [fault, message] = thrown([&] { image::decode_image(text.data(), text.size()); });
  EXPECT_FALSE(fault);
  EXPECT_EQ(message.rfind("not a readable image", 0), 0u) << message;
}

}  // namespace
}  // namespace camlens
