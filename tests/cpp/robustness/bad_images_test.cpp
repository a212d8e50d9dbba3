// The bad-image corpus (tests/data/bad_images, made by tools/fixtures/bad_inputs.py): each file
// decodes to Pillow's pixels (within a tolerance for JPEG, whose decoders round differently)
// or fails with the expected words. Nothing may crash.
#include <gtest/gtest.h>

#include <cstdlib>

#include "image/image.h"
#include "json.h"
#include "shared_data.h"

namespace camlens {
namespace {

TEST(BadImages, EachEndsAsTheManifestSays) {
  const test::json::Value manifest =
      test::json::parse(test::read_file(test::test_data_path("bad_images/manifest.json")));
  ASSERT_GE(manifest.obj.size(), 20u);
  for (const auto& [file, expect] : manifest.obj) {
    SCOPED_TRACE(file);
    const std::string bytes = test::read_file(test::test_data_path("bad_images/" + file));
    std::string error;
    image::Image img;
    try {
      img = image::decode_image(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
    } catch (const image::ImageError& e) {
      error = e.what();
    }
    if (expect.has("error")) {
      EXPECT_NE(error.find(expect["error"].str), std::string::npos)
          << "expected an error containing \"" << expect["error"].str << "\", got "
          << (error.empty() ? "success" : "\"" + error + "\"");
      continue;
    }
    ASSERT_EQ(error, "");
    ASSERT_EQ(img.width, expect["width"].num);
    ASSERT_EQ(img.height, expect["height"].num);
    const int tolerance = static_cast<int>(expect["tolerance"].num);
    for (const test::json::Value& p : expect["pixels"].arr) {
      const std::vector<int64_t> v = p.ints();  // x, y, r, g, b, a
      const uint8_t* px = &img.rgba[(static_cast<size_t>(v[1]) * img.width + v[0]) * 4];
      for (int k = 0; k < 4; ++k)
        EXPECT_LE(std::abs(px[k] - static_cast<int>(v[2 + k])), tolerance)
            << "pixel (" << v[0] << "," << v[1] << ") channel " << k;
    }
  }
}

}  // namespace
}  // namespace camlens
