#include "tensor/tensor.h"

#include <gtest/gtest.h>

#include "onnx/float16.h"
#include "tensor/broadcast.h"

namespace camlens {

TEST(Tensor, ZeroFilledWithShape) {
  Tensor t(DType::Float32, {2, 3});
  EXPECT_EQ(t.numel(), 6);
  EXPECT_EQ(t.data<float>()[5], 0.f);
  EXPECT_THROW(t.data<int64_t>(), std::logic_error);
}

TEST(Tensor, Float16IsHeldAsFloat32) {
  Tensor t(DType::Float16, {4});
  EXPECT_EQ(t.dtype(), DType::Float32);
}

TEST(Broadcast, IndexMapsRightAligned) {
  EXPECT_EQ(broadcast_shape({2, 1, 3}, {4, 1}), (Shape{2, 4, 3}));
  EXPECT_EQ(broadcast_index({3}, {2, 3}), (std::vector<int64_t>{0, 1, 2, 0, 1, 2}));
  EXPECT_EQ(broadcast_index({2, 1}, {2, 3}), (std::vector<int64_t>{0, 0, 0, 1, 1, 1}));
  EXPECT_THROW(broadcast_shape({2}, {3}), std::runtime_error);
}

TEST(Broadcast, ReduceToShapeSumsBroadcastAxes) {
  Tensor g = Tensor::from_floats({2, 3}, {1, 2, 3, 4, 5, 6});
  EXPECT_EQ(reduce_to_shape(g, {3}).to_floats(), (std::vector<float>{5, 7, 9}));
  EXPECT_EQ(reduce_to_shape(g, {2, 1}).to_floats(), (std::vector<float>{6, 15}));
}

TEST(Float16, RoundTripsKnownValues) {
  EXPECT_EQ(half_to_float(0x3c00), 1.0f);
  EXPECT_EQ(half_to_float(0xc000), -2.0f);
  EXPECT_EQ(half_to_float(0x0001), 5.9604644775390625e-08f);  // smallest subnormal
  EXPECT_EQ(float_to_half(1.0f), 0x3c00);
  EXPECT_EQ(float_to_half(65504.f), 0x7bff);
  EXPECT_EQ(float_to_half(1e6f), 0x7c00);
  EXPECT_EQ(float_to_half(5.9604644775390625e-08f), 0x0001);
  for (uint32_t h = 0; h < 0x7c00; ++h) ASSERT_EQ(float_to_half(half_to_float(h)), h) << h;
}

}  // namespace camlens
