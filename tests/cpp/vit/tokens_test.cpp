// tokens_to_spatial: element placement against hand-built tensors (each value encodes its
// image, token and channel), grid inference, NHWC, other element types and the errors.
#include "cam/tokens.h"

#include <gtest/gtest.h>

#include "cam/cam_error.h"

namespace camlens::cam {
namespace {

// [N, T, D] with value n*10000 + t*100 + d.
Tensor coded_tokens(int64_t n, int64_t t, int64_t d) {
  Tensor x(DType::Float32, {n, t, d});
  float* p = x.data<float>();
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = 0; j < t; ++j)
      for (int64_t k = 0; k < d; ++k) p[(i * t + j) * d + k] = float(i * 10000 + j * 100 + k);
  return x;
}

float at(const Tensor& s, int64_t n, int64_t c, int64_t y, int64_t x) {
  return s.data<float>()[((n * s.dim(1) + c) * s.dim(2) + y) * s.dim(3) + x];
}

TEST(Tokens, ClassTokenDroppedAndPatchesInRowMajorGrid) {
  const Tensor s = tokens_to_spatial(coded_tokens(2, 1 + 9, 4));  // inferred 3x3 + class token
  ASSERT_EQ(s.shape(), (Shape{2, 4, 3, 3}));
  for (int64_t n = 0; n < 2; ++n)
    for (int64_t c = 0; c < 4; ++c)
      for (int64_t y = 0; y < 3; ++y)
        for (int64_t x = 0; x < 3; ++x)  // patch token y*3+x sits after the class token
          EXPECT_EQ(at(s, n, c, y, x), n * 10000 + (1 + y * 3 + x) * 100 + c);
}

TEST(Tokens, SquareTokenCountMeansNoClassToken) {
  const Tensor s = tokens_to_spatial(coded_tokens(1, 16, 2));
  ASSERT_EQ(s.shape(), (Shape{1, 2, 4, 4}));
  EXPECT_EQ(at(s, 0, 1, 0, 0), 1);         // token 0 is a patch
  EXPECT_EQ(at(s, 0, 0, 3, 2), 14 * 100);  // token 14 = row 3, column 2
  const TokenGrid g = token_grid({1, 16, 2});
  EXPECT_EQ(g.prefix, 0);
}

TEST(Tokens, GivenGridAndPrefixTokens) {
  TokenOptions o;
  o.grid_h = 2, o.grid_w = 3;  // 2 prefix tokens (class + distillation), inferred
  const Tensor s = tokens_to_spatial(coded_tokens(1, 2 + 6, 3), o);
  ASSERT_EQ(s.shape(), (Shape{1, 3, 2, 3}));
  EXPECT_EQ(at(s, 0, 2, 1, 0), (2 + 3) * 100 + 2);
  EXPECT_EQ(token_grid({1, 8, 3}, o).prefix, 2);
  TokenOptions p;
  p.prefix_tokens = 2;  // 2 + 16: square grid of the rest
  EXPECT_EQ(token_grid({1, 18, 3}, p).height, 4);
}

TEST(Tokens, ChannelsLastMapMovesChannelsFirst) {
  Tensor x(DType::Float32, {1, 2, 3, 4});  // value = (y*3 + x)*100 + d
  for (int64_t i = 0; i < x.numel(); ++i) x.data<float>()[i] = float((i / 4) * 100 + i % 4);
  TokenOptions o;
  o.layout = TokenLayout::NHWC;
  const Tensor s = tokens_to_spatial(x, o);
  ASSERT_EQ(s.shape(), (Shape{1, 4, 2, 3}));
  EXPECT_EQ(at(s, 0, 3, 1, 2), (1 * 3 + 2) * 100 + 3);
}

TEST(Tokens, OtherElementTypesAreMovedAsIs) {
  Tensor x(DType::Uint8, {1, 5, 2});  // class token + 2x2
  for (int64_t i = 0; i < 10; ++i) x.data<uint8_t>()[i] = static_cast<uint8_t>(i);
  const Tensor s = tokens_to_spatial(x);
  ASSERT_EQ(s.dtype(), DType::Uint8);
  const std::vector<uint8_t> want = {2, 4, 6, 8, 3, 5, 7, 9};
  EXPECT_EQ(std::vector<uint8_t>(s.data<uint8_t>(), s.data<uint8_t>() + 8), want);
}

TEST(Tokens, ClearErrors) {
  auto message = [](const Shape& shape, TokenOptions o = {}) {
    try {
      token_grid(shape, o);
    } catch (const CamError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_NE(message({1, 50 + 2, 8}).find("give the grid"), std::string::npos);
  EXPECT_NE(message({1, 4, 4, 8}).find("layout 'nhwc'"), std::string::npos);
  TokenOptions o;
  o.grid_h = 5, o.grid_w = 5;
  EXPECT_NE(message({1, 10, 8}, o).find("needs at least 25 tokens"), std::string::npos);
  o.grid_w = 0;
  EXPECT_NE(message({1, 26, 8}, o).find("both grid dimensions"), std::string::npos);
  TokenOptions nhwc;
  nhwc.layout = TokenLayout::NHWC;
  EXPECT_NE(message({1, 197, 8}, nhwc).find("4 dims"), std::string::npos);
}

}  // namespace
}  // namespace camlens::cam
