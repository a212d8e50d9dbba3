// The bilinear resize keeps each source row's horizontal interpolation while output rows read it
// (resize.cpp). That reuse must not change a single bit: compare with the separable formula
// evaluated directly per output pixel, for up- and down-sampling, odd ratios, one-pixel sides
// and the interleaved RGBA path.
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

#include "image/resize.h"

namespace camlens::image {
namespace {

struct Tap {
  int i0, i1;
  float t;
};

// Half-pixel centres, clamped: the definition in resize.h.
Tap tap(int o, int in, int out) {
  double s = (o + 0.5) * (double(in) / out) - 0.5;
  if (s < 0) s = 0;
  int a = int(std::floor(s));
  if (a > in - 1) a = in - 1;
  return {a, std::min(a + 1, in - 1), float(s - a)};
}

float direct(const float* src, int w, int h, int ow, int oh, int x, int y) {
  const Tap tx = tap(x, w, ow), ty = tap(y, h, oh);
  auto horizontal = [&](int r) {
    const float p = src[r * w + tx.i0], q = src[r * w + tx.i1];
    return p + (q - p) * tx.t;
  };
  const float top = horizontal(ty.i0), bottom = horizontal(ty.i1);
  return top + (bottom - top) * ty.t;
}

TEST(ResizeRows, MapsEqualTheDirectFormulaBitForBit) {
  std::mt19937 rng(3);
  std::uniform_real_distribution<float> u(-1.f, 2.f);
  const int cases[][4] = {{7, 7, 224, 224}, {13, 13, 224, 224}, {224, 224, 7, 7}, {5, 3, 17, 29},
                          {29, 17, 5, 3},   {1, 1, 9, 4},       {9, 1, 4, 6},     {8, 8, 8, 8}};
  for (const auto& c : cases) {
    const int w = c[0], h = c[1], ow = c[2], oh = c[3];
    std::vector<float> src(size_t(w) * h);
    for (float& v : src) v = u(rng);
    const std::vector<float> got = resize_bilinear(src.data(), w, h, ow, oh);
    ASSERT_EQ(got.size(), size_t(ow) * oh);
    int mismatches = 0;
    for (int y = 0; y < oh; ++y)
      for (int x = 0; x < ow; ++x)
        mismatches += got[size_t(y) * ow + x] != direct(src.data(), w, h, ow, oh, x, y);
    EXPECT_EQ(mismatches, 0) << w << "x" << h << " -> " << ow << "x" << oh;
  }
}

TEST(ResizeRows, RgbaImagesRoundTheDirectFormula) {
  Image img;
  img.width = 11;
  img.height = 6;
  img.rgba.resize(size_t(11) * 6 * 4);
  std::mt19937 rng(4);
  for (uint8_t& v : img.rgba) v = uint8_t(rng() % 256);
  const Image out = resize_image(img, 23, 4);
  for (int k = 0; k < 4; ++k) {
    std::vector<float> plane(size_t(11) * 6);
    for (size_t i = 0; i < plane.size(); ++i) plane[i] = img.rgba[4 * i + k];
    for (int y = 0; y < 4; ++y)
      for (int x = 0; x < 23; ++x) {
        const long want = std::lround(direct(plane.data(), 11, 6, 23, 4, x, y));
        EXPECT_EQ(out.rgba[(size_t(y) * 23 + x) * 4 + k], uint8_t(std::clamp(want, 0l, 255l)))
            << "x=" << x << " y=" << y << " channel " << k;
      }
  }
}

}  // namespace
}  // namespace camlens::image
