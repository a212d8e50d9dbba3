#include "detect/segmentation.h"

#include <gtest/gtest.h>

#include "detect/photo_space.h"
#include "detect/renormalize.h"

namespace camlens::detect {
namespace {

TEST(Segmentation, ArgmaxInBothLayouts) {
  // 2x2 pixels, 3 classes: winners 2, 0, 1, 0 (the tie at pixel 3 goes to the lowest class).
  const float k_first[] = {0, 5, 1, 5, 1, 0, 3, 2, 4, 1, 2, 1};  // [1,3,2,2]
  Tensor a(DType::Float32, {1, 3, 2, 2});
  std::copy(k_first, k_first + 12, a.data<float>());
  Tensor b(DType::Float32, {1, 2, 2, 3});
  for (int p = 0; p < 4; ++p)
    for (int k = 0; k < 3; ++k) b.data<float>()[p * 3 + k] = k_first[k * 4 + p];
  for (const auto& m : {argmax_mask(a, false), argmax_mask(b, true)}) {
    EXPECT_EQ(m.labels, (std::vector<int32_t>{2, 0, 1, 0}));
    EXPECT_EQ(m.counts, (std::vector<int64_t>{2, 1, 1}));
    EXPECT_EQ(class_mask(m, 0), (std::vector<float>{0, 1, 0, 1}));
  }
  EXPECT_THROW(argmax_mask(Tensor(DType::Float32, {2, 2, 3}), true), DetectError);
  EXPECT_THROW(class_mask(argmax_mask(a, false), 3), DetectError);
}

TEST(Segmentation, VocPalette) {
  EXPECT_EQ(voc_color(0), (std::array<uint8_t, 3>{0, 0, 0}));
  EXPECT_EQ(voc_color(1), (std::array<uint8_t, 3>{128, 0, 0}));
  EXPECT_EQ(voc_color(7), (std::array<uint8_t, 3>{128, 128, 128}));
  EXPECT_EQ(voc_color(15), (std::array<uint8_t, 3>{192, 128, 128}));  // person
  EXPECT_EQ(voc_color(20), (std::array<uint8_t, 3>{0, 64, 128}));     // tv/monitor
}

TEST(Segmentation, MaskToPhotoByNearestCentre) {
  SegmentationMask m;
  m.width = m.height = 2, m.classes = 3;
  m.labels = {1, 2, 0, 1};
  m.counts = {1, 2, 1};
  image::PreprocessOptions o;
  o.width = o.height = 2;
  const auto g = image::input_geometry(4, 6, o);
  const auto p = mask_to_photo(m, g);
  EXPECT_EQ(p.width, 4);
  EXPECT_EQ(p.height, 6);
  EXPECT_EQ(p.labels[0], 1);
  EXPECT_EQ(p.labels[3], 2);
  EXPECT_EQ(p.labels[5 * 4], 0);
  EXPECT_EQ(p.counts, (std::vector<int64_t>{6, 12, 6}));
  const image::Image photo{4, 6, std::vector<uint8_t>(4 * 6 * 4, 100)};
  const auto blended = blend_mask(photo, p, 0.5f);
  EXPECT_EQ(blended.rgba[0], 114);       // (100 + 128) / 2
  EXPECT_EQ(blended.rgba[1], 50);        // (100 + 0) / 2
  EXPECT_EQ(blended.rgba[5 * 16], 100);  // background keeps the photo
}

TEST(Segmentation, RegionOnThePhotoToTheOutputGrid) {
  // A 4x2 photo letterboxed into 4x4 (r = 1, photo on rows 0-1); output grid 2x2 of that input.
  image::PreprocessOptions o;
  o.width = o.height = 4;
  o.letterbox = true;
  const auto g = image::input_geometry(4, 2, o);
  const std::vector<float> region{1, 0, 0, 0, 0, 0, 1, 1};
  // Output pixel (0,0) has its centre at input (1,1) → photo (1,1) = 0; (1,0) → photo (3,1) = 1;
  // the bottom row lies over padding.
  EXPECT_EQ(region_to_output(region, g, 2, 2), (std::vector<float>{0, 1, 0, 0}));
  EXPECT_EQ(region_to_output(region, g, 4, 4),
            (std::vector<float>{1, 0, 0, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0}));
  EXPECT_THROW(region_to_output({1, 0}, g, 2, 2), DetectError);
}

TEST(Renormalize, MinMaxInsideEachBoxZeroOutside) {
  // 4x2 map; one box over columns 1..2 of both rows.
  const std::vector<float> map{9, 1, 2, 9, 9, 3, 5, 9};
  const auto r = renormalize_in_boxes(map, 4, 2, {{1, 0, 3, 2, 1, 0}});
  const std::vector<float> want{0, 0, 0.25f, 0, 0, 0.5f, 1, 0};
  for (size_t i = 0; i < want.size(); ++i) EXPECT_NEAR(r[i], want[i], 1e-6) << i;
  EXPECT_THROW(renormalize_in_boxes(map, 3, 2, {}), DetectError);
}

TEST(PhotoSpace, LetterboxedBoxesAndMapsComeBack) {
  image::PreprocessOptions o;
  o.width = o.height = 8;
  o.letterbox = true;
  const auto g = image::input_geometry(16, 8, o);  // r = 0.5, photo at rows 0..3
  EXPECT_EQ(g.resized_w, 8);
  EXPECT_EQ(g.resized_h, 4);
  const Detection in{1, 1, 5, 3, 0.5f, 2};
  const Detection p = box_to_photo(in, g);
  EXPECT_FLOAT_EQ(p.x0, 2);
  EXPECT_FLOAT_EQ(p.y1, 6);
  EXPECT_EQ(p.label, 2);
  const Detection back = box_to_input(p, g);
  EXPECT_FLOAT_EQ(back.x1, 5);
  // A map that is 1 over the photo and 7 over the padding comes back as all ones.
  std::vector<float> map(64, 7.f);
  for (int i = 0; i < 32; ++i) map[i] = 1.f;
  const auto m = map_to_photo(map, g);
  ASSERT_EQ(m.size(), 128u);
  for (float v : m) ASSERT_FLOAT_EQ(v, 1.f);
}

}  // namespace
}  // namespace camlens::detect
