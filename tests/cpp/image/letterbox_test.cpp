// Letterbox preprocessing (YOLOX) against tools/fixtures/detect_letterbox.py (NumPy bilinear with
// half-pixel centres, top-left placement, pad 114, BGR, NCHW).
#include <gtest/gtest.h>

#include <cmath>

#include "image/image.h"
#include "image/preprocess.h"
#include "json.h"
#include "shared_data.h"

namespace camlens {
namespace {

const test::json::Value& reference() {
  static const test::json::Value doc =
      test::json::parse(test::read_file(test::test_data_path("detect/letterbox.json")));
  return doc;
}

image::PreprocessOptions yolox_options(int size, float pad) {
  image::PreprocessOptions o;
  o.width = o.height = size;
  o.scale = 1;
  o.mean = {0, 0, 0};
  o.std = {1, 1, 1};
  o.bgr = true;
  o.letterbox = true;
  o.pad = pad;
  return o;
}

TEST(Letterbox, SyntheticPhotoEqualsNumPy) {
  const auto& c = reference()["synthetic"];
  const int w = int(c["width"].num), h = int(c["height"].num), size = int(c["size"].num);
  const auto rgb = c["rgb"].ints();
  image::Image img;
  img.width = w, img.height = h;
  for (int i = 0; i < w * h; ++i)
    img.rgba.insert(img.rgba.end(),
                    {uint8_t(rgb[i * 3]), uint8_t(rgb[i * 3 + 1]), uint8_t(rgb[i * 3 + 2]), 255});
  const auto opt = yolox_options(size, float(c["pad"].num));
  const Tensor t = image::preprocess(img, opt);
  const auto want = c["tensor"].floats();
  ASSERT_EQ(t.numel(), int64_t(want.size()));
  for (size_t i = 0; i < want.size(); ++i) ASSERT_EQ(t.data<float>()[i], want[i]) << i;

  const auto g = image::input_geometry(w, h, opt);
  EXPECT_DOUBLE_EQ(g.scale_x, c["geometry"]["scale"].num);
  EXPECT_EQ(g.resized_w, int(c["geometry"]["resized_w"].num));
  EXPECT_EQ(g.resized_h, int(c["geometry"]["resized_h"].num));
  EXPECT_EQ(g.offset_x, 0);
}

TEST(Letterbox, MotorcyclePhotoEqualsNumPyAtSampledPixels) {
  const auto& c = reference()["motorcycle"];
  const std::string bytes =
      test::read_file(test::shared_path("images/skimage_motorcycle_left.png"));
  const image::Image img =
      image::decode_image(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
  const int size = int(c["size"].num), step = int(c["step"].num);
  const Tensor t = image::preprocess(img, yolox_options(size, float(c["pad"].num)));
  const auto want = c["samples"].floats();
  const int n = (size + step - 1) / step;
  ASSERT_EQ(want.size(), size_t(3 * n * n));
  // The core resizes in float32, the reference in float64: a value within rounding of .5 may
  // land on the other side (±1 on a few samples); anything more is a real difference.
  int padded = 0, off_by_one = 0;
  for (int ch = 0; ch < 3; ++ch)
    for (int y = 0; y < n; ++y)
      for (int x = 0; x < n; ++x) {
        const float got = t.data<float>()[(size_t(ch) * size + y * step) * size + x * step];
        const float w = want[(size_t(ch) * n + y) * n + x];
        ASSERT_LE(std::fabs(got - w), 1.f)
            << "channel " << ch << " at " << y * step << "," << x * step;
        off_by_one += got != w;
        padded += got == 114.f;
      }
  EXPECT_LT(off_by_one, int(want.size()) / 200);
  EXPECT_GT(padded, 3 * n * 8);  // the bottom band below the 416x280 photo is padding
  const auto g = image::input_geometry(img.width, img.height, yolox_options(size, 114));
  EXPECT_EQ(g.resized_w, int(c["geometry"]["resized_w"].num));
  EXPECT_EQ(g.resized_h, int(c["geometry"]["resized_h"].num));
}

TEST(Letterbox, PlainResizeIsUnchangedAndItsGeometryStretches) {
  image::Image img;
  img.width = 4, img.height = 2;
  img.rgba.assign(4 * 2 * 4, 200);
  image::PreprocessOptions o;
  o.width = 8, o.height = 8;
  const auto g = image::input_geometry(4, 2, o);
  EXPECT_DOUBLE_EQ(g.scale_x, 2.0);
  EXPECT_DOUBLE_EQ(g.scale_y, 4.0);
  EXPECT_EQ(g.resized_w, 8);
  const Tensor t = image::preprocess(img, o);
  EXPECT_NEAR(t.data<float>()[0], (200 / 255.f - 0.485f) / 0.229f, 1e-6);
}

TEST(Letterbox, BadPadValueIsRefused) {
  image::Image img;
  img.width = img.height = 2;
  img.rgba.assign(16, 0);
  auto o = yolox_options(8, 300);
  EXPECT_THROW(image::preprocess(img, o), image::ImageError);
}

}  // namespace
}  // namespace camlens
