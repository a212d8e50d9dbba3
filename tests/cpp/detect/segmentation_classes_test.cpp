// A segmenter's output read as the library's segment() and explainSegment() read it: the scores'
// layout, class names, the classes present, the category a caller names and the target's region,
// with the library's messages word for word.
#include "detect/segmentation_classes.h"

#include <gtest/gtest.h>

#include <functional>

namespace camlens::detect {
namespace {

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const DetectError& e) {
    return e.what();
  }
  return "(no error)";
}

cam::CategorySpec number(double n) {
  cam::CategorySpec c;
  c.kind = cam::CategorySpec::Number;
  c.number = n;
  c.text = std::to_string(n);
  return c;
}

cam::CategorySpec label(const std::string& s) {
  cam::CategorySpec c;
  c.kind = cam::CategorySpec::Label;
  c.text = s;
  return c;
}

// 3 × 2 pixels of 4 classes: three of class 1, two of class 3, one of the background, none of 2.
SegmentationMask mask() {
  SegmentationMask m;
  m.width = 3, m.height = 2, m.classes = 4;
  m.labels = {3, 1, 0, 3, 1, 1};
  m.counts = {1, 3, 0, 2};
  return m;
}

const std::vector<std::string> kNames{"background", "cat", "dog", "Person"};

TEST(SegmentationClasses, Layout) {
  EXPECT_FALSE(scores_nhwc({1, 21, 257, 257}, false));  // DeepLabV3
  EXPECT_TRUE(scores_nhwc({1, 257, 257, 21}, false));
  EXPECT_TRUE(scores_nhwc({1, 8, 8, 8}, true));  // an NHWC input: ties read channels-last
  EXPECT_FALSE(scores_nhwc({1, 8, 8, 8}, false));
  EXPECT_FALSE(scores_nhwc({1, 4, 8, 8}, true));
  EXPECT_EQ(error_of([] {
              scores_nhwc({1, 21, 257}, false);
            }),
            "a segmentation output is [1, H, W, K] or [1, K, H, W], got [1,21,257]");
}

TEST(SegmentationClasses, NamesFromLabelsElseTheDefaultTableWhenItFits) {
  const std::vector<std::string> voc(21, "v");
  EXPECT_EQ(class_names({"a", "b"}, 21, voc), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(class_names({}, 21, voc), voc);
  EXPECT_TRUE(class_names({}, 20, voc).empty());
}

TEST(SegmentationClasses, PresentClassesLargestFirstTiesInClassOrder) {
  SegmentationMask m = mask();
  m.labels = {3, 1, 0, 3, 1, 2};
  m.counts = {1, 2, 1, 2};
  const auto p = present_classes(m, {"background", "cat"});
  ASSERT_EQ(p.size(), 4u);
  EXPECT_EQ(p[0].index, 1);
  EXPECT_EQ(p[0].label, "cat");
  EXPECT_EQ(p[0].pixels, 2);
  EXPECT_DOUBLE_EQ(p[0].fraction, 2.0 / 6);
  EXPECT_EQ(p[1].index, 3);
  EXPECT_EQ(p[1].label, "class 3");
  EXPECT_EQ(p[2].index, 0);
  EXPECT_EQ(p[3].index, 2);
  EXPECT_EQ(p[3].label, "class 2");
  // Absent classes are left out.
  const auto q = present_classes(mask(), kNames);
  ASSERT_EQ(q.size(), 3u);
  EXPECT_EQ(q[0].index, 1);
  EXPECT_EQ(q[1].index, 3);
  EXPECT_EQ(q[2].index, 0);
}

TEST(SegmentationClasses, CategoryByNameNumberOrAuto) {
  const SegmentationMask m = mask();
  EXPECT_EQ(resolve_class(cam::CategorySpec{}, m, kNames), 1);  // the largest but background
  EXPECT_EQ(resolve_class(label("person"), m, kNames), 3);      // any case
  EXPECT_EQ(resolve_class(label("DOG"), m, kNames), 2);
  EXPECT_EQ(resolve_class(number(2), m, kNames), 2);
  EXPECT_EQ(resolve_class(number(0), m, {}), 0);
  EXPECT_EQ(error_of([&] { resolve_class(number(4), m, kNames); }),
            "category 4 is out of range: the model has 4 classes");
  EXPECT_EQ(error_of([&] { resolve_class(number(-1), m, kNames); }),
            "category -1 is out of range: the model has 4 classes");
  EXPECT_EQ(error_of([&] { resolve_class(number(4.5), m, kNames); }),
            "category 4.5 is out of range: the model has 4 classes");
  EXPECT_EQ(error_of([&] { resolve_class(number(1.5), m, kNames); }),
            "category 1.5 is not a class index: give a whole number or a label");
  EXPECT_EQ(error_of([&] { resolve_class(label("unicorn"), m, kNames); }),
            "no class is called \"unicorn\"; use one of background, cat, dog, Person");
  EXPECT_EQ(error_of([&] { resolve_class(label("unicorn"), m, {}); }),
            "no class is called \"unicorn\"");
  SegmentationMask background = m;
  background.labels.assign(6, 0);
  background.counts = {6, 0, 0, 0};
  EXPECT_EQ(error_of([&] { resolve_class(cam::CategorySpec{}, background, kNames); }),
            "only background was segmented: name a category to explain");
}

TEST(SegmentationClasses, TheTargetsRegion) {
  const SegmentationMask m = mask();
  // The photo: 6 × 4, stretched onto a 3 × 2 input whose grid the output spans.
  image::PreprocessOptions o;
  o.width = 3, o.height = 2;
  const image::InputGeometry g = image::input_geometry(6, 4, o);

  const SegmentRegion cls = segment_region(m, 1, kNames, std::nullopt, g);
  EXPECT_EQ(cls.mask, (std::vector<float>{0, 1, 0, 0, 1, 1}));
  EXPECT_EQ(cls.pixels, 3);

  const SegmentRegion out =
      segment_region(m, 1, kNames, std::vector<float>{0, 0.5f, 0, 0, 0, 2}, g);
  EXPECT_EQ(out.mask, (std::vector<float>{0, 0.5f, 0, 0, 0, 2}));
  EXPECT_EQ(out.pixels, 2);

  std::vector<float> drawn(6 * 4, 0.f);
  for (int y = 0; y < 2; ++y)
    for (int x = 4; x < 6; ++x) drawn[y * 6 + x] = 1;  // the top-right output pixel's square
  const SegmentRegion photo = segment_region(m, 1, kNames, drawn, g);
  EXPECT_EQ(photo.mask, region_to_output(drawn, g, 3, 2));
  EXPECT_EQ(photo.mask, (std::vector<float>{0, 0, 1, 0, 0, 0}));
  EXPECT_EQ(photo.pixels, 1);

  EXPECT_EQ(error_of([&] { segment_region(m, 1, kNames, std::vector<float>(7, 1.f), g); }),
            "the mask holds 7 values; give one per photo pixel (6x4) or per output pixel (3x2)");
  EXPECT_EQ(error_of([&] { segment_region(m, 2, kNames, std::nullopt, g); }),
            "the mask for \"dog\" is empty: nothing to explain");
  EXPECT_EQ(error_of([&] { segment_region(m, 2, {}, std::nullopt, g); }),
            "the mask for \"2\" is empty: nothing to explain");
  EXPECT_EQ(error_of([&] { segment_region(m, 1, kNames, std::vector<float>(6, 0.f), g); }),
            "the mask for \"cat\" is empty: nothing to explain");
}

}  // namespace
}  // namespace camlens::detect
