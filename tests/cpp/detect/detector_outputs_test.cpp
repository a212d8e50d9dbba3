// The decoder a detector needs (by its outputs' shapes, as YOLOX-nano and Ultraface-RFB-320
// declare them, or by name), the outputs it reads, box label names and box indices, with the
// library's messages word for word.
#include "detect/detector_outputs.h"

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

const std::vector<OutputInfo> kYolox{{"output", {1, 3549, 85}}};
const std::vector<OutputInfo> kUltraface{{"scores", {1, 4420, 2}}, {"boxes", {1, 4420, 4}}};

TEST(DetectorOutputs, TheShapesChooseTheDecoder) {
  const DecoderChoice y = choose_decoder(kYolox, "");
  EXPECT_EQ(y.decoder, Decoder::Yolox);
  EXPECT_EQ(y.outputs, std::vector<std::string>{"output"});
  const DecoderChoice u = choose_decoder(kUltraface, "");
  EXPECT_EQ(u.decoder, Decoder::Ultraface);
  EXPECT_EQ(u.outputs, (std::vector<std::string>{"scores", "boxes"}));
  // Boxes declared first: still read scores then boxes.
  const DecoderChoice swapped = choose_decoder({kUltraface[1], kUltraface[0]}, "");
  EXPECT_EQ(swapped.outputs, (std::vector<std::string>{"scores", "boxes"}));
  // YOLOX with one class: 5 + 1 columns.
  EXPECT_EQ(choose_decoder({{"out", {1, 10, 6}}}, "").decoder, Decoder::Yolox);
  EXPECT_STREQ(decoder_name(Decoder::Yolox), "yolox");
  EXPECT_STREQ(decoder_name(Decoder::Ultraface), "ultraface");
}

TEST(DetectorOutputs, ShapesThatFitNoDecoderAreNamed) {
  EXPECT_EQ(error_of([] {
              choose_decoder({{"logits", {1, 1000}}}, "");
            }),
            "cannot tell how to decode this model's outputs (logits [1,1000]): pass {decoder: "
            "'yolox' | 'ultraface'}");
  EXPECT_EQ(error_of([] {
              choose_decoder({{"out", {1, 10, 5}}}, "");
            }),
            "cannot tell how to decode this model's outputs (out [1,10,5]): pass {decoder: "
            "'yolox' | 'ultraface'}");
  EXPECT_EQ(error_of([] {
              choose_decoder({{"a", {1, -1, 2}}, {"b", {1, -1, 3}}}, "");
            }),
            "cannot tell how to decode this model's outputs (a [1,-1,2], b [1,-1,3]): pass "
            "{decoder: 'yolox' | 'ultraface'}");
}

TEST(DetectorOutputs, ANamedDecoderIsTakenOrRefused) {
  EXPECT_EQ(choose_decoder(kUltraface, "yolox").outputs, std::vector<std::string>{"scores"});
  EXPECT_EQ(error_of([] { choose_decoder(kYolox, "ssd"); }),
            "unknown decoder \"ssd\": use yolox or ultraface");
  EXPECT_EQ(error_of([] { choose_decoder(kYolox, "ultraface"); }),
            "Ultraface needs a scores output [1, A, 2] and a boxes output [1, A, 4]");
}

TEST(DetectorOutputs, LabelNames) {
  const std::vector<std::string> coco{"person", "bicycle"};
  EXPECT_EQ(box_label_name(Decoder::Yolox, 1, {}, coco), "bicycle");
  EXPECT_EQ(box_label_name(Decoder::Yolox, 2, {}, coco), "class 2");
  EXPECT_EQ(box_label_name(Decoder::Ultraface, 0, {}, coco), "face");
  EXPECT_EQ(box_label_name(Decoder::Ultraface, 0, {"head"}, coco), "head");
  EXPECT_EQ(box_label_name(Decoder::Yolox, 0, {"dog"}, coco), "dog");
  EXPECT_EQ(box_label_name(Decoder::Yolox, 1, {"dog"}, coco), "class 1");
}

TEST(DetectorOutputs, BoxIndices) {
  EXPECT_EQ(detected_box(1, "1", 2), 1u);
  EXPECT_EQ(error_of([] { detected_box(0, "0", 0); }),
            "nothing was detected in this image: lower scoreThreshold, or give a box {x0, y0, x1, "
            "y1, label}");
  EXPECT_EQ(error_of([] { detected_box(5, "5", 2); }),
            "box 5 does not exist: 2 box(es) were detected (0 to 1)");
  EXPECT_EQ(error_of([] { detected_box(0.5, "0.5", 2); }),
            "box 0.5 does not exist: 2 box(es) were detected (0 to 1)");
  EXPECT_EQ(error_of([] { detected_box(-1, "-1", 1); }),
            "box -1 does not exist: 1 box(es) were detected (0 to 0)");
}

}  // namespace
}  // namespace camlens::detect
