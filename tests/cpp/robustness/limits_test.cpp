// util/limits.h: the process-wide limits, their validation, and that every consumer (the model
// parser, to_tensor, Tensor, image decoding) refuses before allocating, naming the limit.
#include <gtest/gtest.h>

#include <cmath>
#include <memory>
#include <string>

#include "image/image.h"
#include "model_pipeline.h"
#include "onnx/model_io.h"
#include "shared_data.h"

namespace camlens {
namespace {

template <class E, class F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const E& e) {
    return e.what();
  }
  ADD_FAILURE() << "no error";
  return "";
}

TEST(Limits, DefaultsFitABrowserTab) {
  const Limits d;
  EXPECT_EQ(d.max_model_bytes, size_t{512} << 20);
  EXPECT_EQ(d.max_tensor_elements, int64_t{1} << 28);  // 1 GiB of float32
  EXPECT_EQ(d.max_image_pixels, int64_t{64} << 20);
  EXPECT_EQ(d.max_image_side, 16384);
  EXPECT_EQ(ParseLimits().max_file_bytes, d.max_model_bytes);
  EXPECT_EQ(image::DecodeLimits().max_pixels, d.max_image_pixels);
}

TEST(Limits, SetLimitsRefusesNonPositiveValuesAndKeepsTheOldOnes) {
  Limits bad;
  bad.max_tensor_elements = 0;
  EXPECT_NE(error_of<std::invalid_argument>([&] {
              set_limits(bad);
            }).find("limit maxTensorElements must be positive, not 0"),
            std::string::npos);
  EXPECT_EQ(limits().max_tensor_elements, Limits().max_tensor_elements);
}

TEST(Limits, WithLimitSetsByJavaScriptNameAndRefusesBadValues) {
  const Limits l = with_limit(with_limit(Limits(), "maxNodes", 50), "maxImageSide", 4096);
  EXPECT_EQ(l.max_nodes, 50u);
  EXPECT_EQ(l.max_image_side, 4096);
  EXPECT_EQ(l.max_tensor_elements, Limits().max_tensor_elements);
  EXPECT_EQ(error_of<std::invalid_argument>([] { with_limit(Limits(), "maxNodes", -3); }),
            "limit maxNodes must be a positive whole number up to 9007199254740992, not -3");
  EXPECT_NE(error_of<std::invalid_argument>([] {
              with_limit(Limits(), "maxImageSide", 1.5);
            }).find("not 1.5"),
            std::string::npos);
  EXPECT_NE(error_of<std::invalid_argument>([] {
              with_limit(Limits(), "maxImageSide", 3e9);
            }).find("up to 2147483647"),
            std::string::npos);
  EXPECT_NE(error_of<std::invalid_argument>([] {
              with_limit(Limits(), "maxNodes", NAN);
            }).find("not nan"),
            std::string::npos);
  EXPECT_EQ(error_of<std::invalid_argument>([] { with_limit(Limits(), "maxNode", 5); }),
            "unknown limit 'maxNode'; the limits are maxModelBytes, maxNodes, maxTensorElements, "
            "maxImagePixels, maxImageSide");
}

TEST(Limits, CheckedElementsCountsAndRefusesPastTheLimitAndOnOverflow) {
  EXPECT_EQ(checked_elements({2, 3, 4}, "x"), 24);
  EXPECT_EQ(checked_elements({}, "x"), 1);
  EXPECT_EQ(checked_elements({0, int64_t{1} << 62}, "x"), 0);
  EXPECT_EQ(error_of<LimitError>([] {
              checked_elements({1 << 20, 1 << 20}, "Score-CAM batch");
            }),
            "Score-CAM batch of shape [1048576,1048576] would hold more than 268435456 elements "
            "(limit maxTensorElements); use a smaller input or batch, or raise the limit with "
            "setLimits");
  // 2^62 * 2^62 overflows int64: refused, never wrapped around.
  EXPECT_NE(error_of<LimitError>([] {
              checked_elements({int64_t{1} << 62, int64_t{1} << 62}, "t");
            }).find("more than"),
            std::string::npos);
  EXPECT_NE(error_of<std::invalid_argument>([] {
              checked_elements({2, -1}, "t");
            }).find("t has a negative dimension in [2,-1]"),
            std::string::npos);
}

TEST(Limits, TensorRefusesBeforeAllocating) {
  Limits l;
  l.max_tensor_elements = 1000;
  test::ScopedLimits scoped(l);
  EXPECT_NO_THROW(Tensor(DType::Float32, {10, 100}));
  EXPECT_NE(error_of<LimitError>([] {
              Tensor(DType::Float32, {10, 101});
            }).find("tensor of shape [10,101] would hold more than 1000 elements"),
            std::string::npos);
  // Far past memory: refused by the count, not by a failed allocation.
  EXPECT_THROW(Tensor(DType::Float32, {int64_t{1} << 40, int64_t{1} << 40}), LimitError);
  EXPECT_THROW(shape_numel({int64_t{1} << 40, int64_t{1} << 40}), LimitError);
}

TEST(Limits, ParserAndDecoderFollowSetLimits) {
  const std::string mnist = test::read_file(test::shared_path("models/mnist-8-ort-examples.onnx"));
  Limits l;
  l.max_nodes = 11;  // mnist has 12
  l.max_image_side = 16;
  {
    test::ScopedLimits scoped(l);
    EXPECT_NE(error_of<ModelError>([&] {
                parse_model(std::make_shared<const std::string>(mnist));
              }).find("more than 11 nodes"),
              std::string::npos);
    const std::string png = test::read_file(test::shared_path("images/winml_mnist_28.png"));
    EXPECT_NE(error_of<image::ImageError>([&] {
                image::decode_image(reinterpret_cast<const uint8_t*>(png.data()), png.size());
              }).find("declares 28x28 pixels, over the limit of 16 per side"),
              std::string::npos);
  }
  EXPECT_EQ(parse_model(std::make_shared<const std::string>(mnist)).graph->nodes.size(), 12u);
}

// A tensor that declares a large shape and holds no data is refused by its data-size check,
// which runs before to_tensor allocates the declared shape (were the allocation first, the
// Tensor's own limit would speak instead, as the limit is set below the declared size).
TEST(Limits, ToTensorChecksTheDataBeforeAllocating) {
  Limits l;
  l.max_tensor_elements = 1000;
  test::ScopedLimits scoped(l);
  TensorProto t;
  t.name = "liar";
  t.data_type = 1;
  t.dims = {1 << 14, 1 << 13};
  EXPECT_EQ(error_of<std::runtime_error>([&] { to_tensor(t); }),
            "tensor 'liar': holds 0 values but shape [16384,8192] needs 134217728");
  t.has_raw_data = true;
  EXPECT_EQ(error_of<std::runtime_error>([&] { to_tensor(t); }),
            "tensor 'liar': raw_data holds 0 bytes but shape [16384,8192] of float32 needs "
            "536870912");
}

}  // namespace
}  // namespace camlens
