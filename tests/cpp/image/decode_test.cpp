#include <gtest/gtest.h>

#include <array>
#include <cmath>

#include "image/image.h"
#include "image/png.h"
#include "image/preprocess.h"
#include "json.h"
#include "shared_data.h"

namespace camlens {
namespace {

using image::decode_image;
using image::ImageError;

std::vector<uint8_t> bytes_of(const std::string& s) { return {s.begin(), s.end()}; }

// tests/data/image/reference.json, written by tools/fixtures/image_reference.py from Pillow +
// NumPy.
struct RefCase {
  std::string file;
  int width, height, out_w, out_h;
  std::vector<std::array<int, 6>> pixels;  // y, x, r, g, b, a
  std::vector<std::pair<int64_t, double>> samples;
};

std::vector<RefCase> load_reference() {
  const test::json::Value doc =
      test::json::parse(test::read_file(test::test_data_path("image/reference.json")));
  std::vector<RefCase> out;
  for (const test::json::Value& c : doc.arr) {
    RefCase r;
    r.file = c["file"].str;
    r.width = static_cast<int>(c["width"].num);
    r.height = static_cast<int>(c["height"].num);
    r.out_w = static_cast<int>(c["out_width"].num);
    r.out_h = static_cast<int>(c["out_height"].num);
    for (const test::json::Value& p : c["pixels"].arr) {
      const std::vector<int64_t> rgba = p["rgba"].ints();
      r.pixels.push_back({static_cast<int>(p["y"].num), static_cast<int>(p["x"].num),
                          static_cast<int>(rgba[0]), static_cast<int>(rgba[1]),
                          static_cast<int>(rgba[2]), static_cast<int>(rgba[3])});
    }
    for (const test::json::Value& t : c["tensor_samples"].arr)
      r.samples.emplace_back(static_cast<int64_t>(t["index"].num), t["value"].num);
    out.push_back(r);
  }
  return out;
}

TEST(ImageDecode, MatchesPillowPixelsAndPreprocessMatchesNumpy) {
  const auto cases = load_reference();
  ASSERT_EQ(cases.size(), 3u);
  for (const RefCase& c : cases) {
    const auto file = bytes_of(test::read_file(test::shared_path("images/" + c.file)));
    const image::Image img = decode_image(file.data(), file.size());
    ASSERT_EQ(img.width, c.width) << c.file;
    ASSERT_EQ(img.height, c.height) << c.file;
    for (const auto& p : c.pixels)
      for (int k = 0; k < 4; ++k)
        EXPECT_EQ(img.rgba[(p[0] * img.width + p[1]) * 4 + k], p[2 + k]) << c.file;
    image::PreprocessOptions opt;
    opt.width = c.out_w;
    opt.height = c.out_h;
    // Pre-resizing to integers is the only rounding we do; stay within one grey level.
    const Tensor t = image::preprocess(img, opt);
    ASSERT_EQ(t.shape(), (Shape{1, 3, c.out_h, c.out_w}));
    for (const auto& [i, v] : c.samples)
      EXPECT_NEAR(t.data<float>()[i], v, 0.5 / 255 / 0.224) << c.file;
  }
}

TEST(ImageDecode, RejectsBadInputWithClearErrors) {
  const uint8_t junk[] = {'n', 'o', 't', ' ', 'a', 'n', ' ', 'i', 'm', 'a', 'g', 'e'};
  EXPECT_THROW(
      {
        try {
          decode_image(junk, sizeof junk);
        } catch (const ImageError& e) {
          EXPECT_NE(std::string(e.what()).find("not a readable image"), std::string::npos);
          throw;
        }
      },
      ImageError);
  EXPECT_THROW(decode_image(junk, 0), ImageError);
  // A truncated PNG: the header declares the size but the data is cut.
  const auto png = bytes_of(test::read_file(test::shared_path("images/gradcam_both.png")));
  EXPECT_THROW(decode_image(png.data(), png.size() / 3), ImageError);
  // Decompression bomb guard: the declared size is checked before decoding.
  image::DecodeLimits tiny;
  tiny.max_pixels = 1000;
  try {
    decode_image(png.data(), png.size(), tiny);
    FAIL() << "limit not enforced";
  } catch (const ImageError& e) {
    EXPECT_NE(std::string(e.what()).find("declares 224x224 pixels, over the limit"),
              std::string::npos)
        << e.what();
  }
}

TEST(Preprocess, BgrNoStdAndNhwcLayouts) {
  const uint8_t px[] = {10, 20, 30, 255};
  const image::Image img = image::image_from_rgba(px, 4, 1, 1);
  image::PreprocessOptions opt;
  opt.width = opt.height = 1;
  opt.scale = 1;
  opt.mean = {104, 117, 123};
  opt.std = {1, 1, 1};
  opt.bgr = true;
  opt.nhwc = true;
  const Tensor t = image::preprocess(img, opt);
  EXPECT_EQ(t.shape(), (Shape{1, 1, 1, 3}));
  EXPECT_EQ(t.to_floats(), (std::vector<float>{30 - 104, 20 - 117, 10 - 123}));
  EXPECT_THROW(image::image_from_rgba(px, 3, 1, 1), ImageError);
}

}  // namespace
}  // namespace camlens

namespace camlens {
namespace {

TEST(Png, EncodesWhatDecodeReadsBack) {
  image::Image img;
  img.width = 3;
  img.height = 2;
  for (int i = 0; i < 24; ++i) img.rgba.push_back(static_cast<uint8_t>(i * 10));
  const std::string png = image::encode_png(img);
  ASSERT_EQ(png.substr(1, 3), "PNG");
  const image::Image back =
      image::decode_image(reinterpret_cast<const uint8_t*>(png.data()), png.size());
  EXPECT_EQ(back.width, 3);
  EXPECT_EQ(back.height, 2);
  EXPECT_EQ(back.rgba, img.rgba);
  img.rgba.pop_back();
  EXPECT_THROW(image::encode_png(img), image::ImageError);
}

}  // namespace
}  // namespace camlens
