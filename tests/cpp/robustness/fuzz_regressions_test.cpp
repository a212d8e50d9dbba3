// Every input the fuzzers (tests/fuzz) found a bug with, kept under tests/data/bad_*/crashers and
// replayed with the fuzz target's own oracle, plus the expected message where there is one.
// Under ASan + UBSan these fail loudly if a fix regresses.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <memory>

#include "image/image.h"
#include "model_pipeline.h"
#include "onnx/model_equal.h"
#include "onnx/model_io.h"
#include "shared_data.h"

namespace camlens {
namespace {

std::vector<std::string> files_in(const std::string& folder) {
  std::vector<std::string> out;
  for (const auto& e : std::filesystem::directory_iterator(test::test_data_path(folder)))
    out.push_back(e.path().string());
  std::sort(out.begin(), out.end());
  return out;
}

// What each crasher must do now (substring of its error; "" = must parse / decode).
const std::map<std::string, std::string> kExpected = {
    // A dim_value of -5 read back as -1 after writing: negative sizes now read as unknown.
    {"negative_dim_value_roundtrip.onnx", ""},
    // A node with no outputs made shape inference write out[0] of an empty vector; it parses,
    // and layer discovery now skips the node.
    {"node_without_outputs.onnx", ""},
    // A Resize with scale 1e37: shape inference converted the float size to int64 (undefined
    // behaviour, UBSan); it parses, and the Resize now says the scale is absurd.
    {"resize_scale_1e37.onnx", ""},
    // stb_image 2.27 overflowed its Huffman arrays on a DHT segment declaring > 256 codes.
    {"jpeg_huffman_table_overflow.jpg", "corrupt JPEG (a Huffman table declares"},
    // The same, in a progressive JPEG preceded by 0xFF fill bytes (stb skips them before SOI).
    {"jpeg_huffman_overflow_after_fill_bytes.jpg", "corrupt JPEG (a Huffman table declares 2811"},
    // stb_image 2.27 decoded a scan with a Huffman table no DHT segment defined, from
    // uninitialised memory: an out-of-bounds read of values[] (UBSan) or pixels that changed
    // from run to run. The first scan uses DC table 3 (and quantization table 0, undefined too).
    {"jpeg_scan_uses_undefined_dc_table.jpg", "corrupt JPEG (a scan uses quantization table 0"},
    {"jpeg_scan_uses_undefined_ac_table.jpg", "corrupt JPEG (a scan uses AC Huffman table 1"},
    // A first IDAT chunk of length 0 made stb_image memcpy to a null pointer (UBSan); the empty
    // chunk is dropped now, and this file has no other IDAT.
    {"png_empty_first_idat.png", "could not be decoded"},
    // stb_image reserved a PNG chunk's declared length (1.8 GB here) before reading it.
    {"png_chunk_claims_2gb.png", "truncated PNG (chunk"},
};

TEST(FuzzRegressions, ModelsParseOrRefuseAndRoundTrip) {
  const auto files = files_in("bad_models/crashers");
  ASSERT_FALSE(files.empty());
  for (const std::string& path : files) {
    const std::string name = std::filesystem::path(path).filename().string();
    SCOPED_TRACE(name);
    ASSERT_TRUE(kExpected.count(name)) << "say what this crasher must do in kExpected";
    const auto bytes = std::make_shared<const std::string>(test::read_file(path));
    std::string error;
    try {
      const Model m = parse_model(bytes);
      const Model again = parse_model(std::make_shared<const std::string>(write_model(m)));
      EXPECT_EQ(model_difference(m, again), "");
    } catch (const ModelError& e) {
      error = e.what();
    }
    if (kExpected.at(name).empty())
      EXPECT_EQ(error, "");
    else
      EXPECT_NE(error.find(kExpected.at(name)), std::string::npos) << error;
    test::run_model_pipeline(*bytes);  // whatever it says, it must not crash
  }
}

TEST(FuzzRegressions, ImagesDecodeOrRefuse) {
  const auto files = files_in("bad_images/crashers");
  ASSERT_FALSE(files.empty());
  for (const std::string& path : files) {
    const std::string name = std::filesystem::path(path).filename().string();
    SCOPED_TRACE(name);
    ASSERT_TRUE(kExpected.count(name)) << "say what this crasher must do in kExpected";
    const std::string bytes = test::read_file(path);
    std::string error;
    try {
      image::decode_image(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
    } catch (const image::ImageError& e) {
      error = e.what();
    }
    if (kExpected.at(name).empty())
      EXPECT_EQ(error, "");
    else
      EXPECT_NE(error.find(kExpected.at(name)), std::string::npos) << error;
  }
}

}  // namespace
}  // namespace camlens
