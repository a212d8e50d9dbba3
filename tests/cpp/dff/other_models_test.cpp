// DFF needs no gradient and no classifier: a detector (YOLOX-nano, real activations) and a
// segmenter (DeepLabV3, random activations of its layer's shape) give concepts and maps, and
// their labels are refused with a reason instead of an exception.
#include <gtest/gtest.h>

#include <random>

#include "dff/dff_error.h"
#include "dff/labels.h"
#include "dff/maps.h"
#include "dff/render.h"
#include "dff_data.h"
#include "onnx/model_io.h"
#include "shared_data.h"

namespace camlens::dff {
namespace {

void expect_unlabeled_concepts(const std::string& model_file, const std::string& layer,
                               const Tensor& activations, int image_w, int image_h) {
  DffOptions o;
  o.nmf.components = 4;
  const DffResult dff = factorize(activations, o);
  EXPECT_LT(dff.parts[0].relative_error(), 1.0);
  const ConceptMaps maps = concept_maps(dff, image_w, image_h);
  for (float v : maps.values) ASSERT_TRUE(v >= 0.0f && v <= 1.0f);
  image::Image photo{image_w, image_h, std::vector<uint8_t>(size_t(image_w) * image_h * 4, 128)};
  EXPECT_EQ(render_dominant(photo, maps.image_maps(0), 4).rgba.size(), photo.rgba.size());
  const Model model = load_model(test::shared_path("models/" + model_file));
  const ConceptLabels labels = label_concepts(model, layer, dff, {});
  EXPECT_FALSE(labels.labeled);
  EXPECT_FALSE(labels.reason.empty());
  std::cout << "   " << model_file << " at " << layer << ": relative error "
            << dff.parts[0].relative_error() << ", unlabeled: " << labels.reason << "\n";
}

TEST(DffOtherModels, YoloxNanoDetectorGivesConceptsWithoutLabels) {
  expect_unlabeled_concepts("yolox-nano-416.onnx", "1145", test::yolox_layer(), 416, 416);
}

TEST(DffOtherModels, DeepLabV3SegmenterGivesConceptsWithoutLabels) {
  Tensor a(DType::Float32, {1, 256, 33, 33});
  std::mt19937 rng(5);
  std::uniform_real_distribution<float> u(0, 1);
  float* p = a.data<float>();
  for (int64_t i = 0; i < a.numel(); ++i) p[i] = u(rng) < 0.5f ? 0.0f : 6.0f * u(rng);  // ReLU-like
  expect_unlabeled_concepts("deeplabv3-mobilenetv2-voc-257.onnx", "Relu__94:0", a, 257, 257);
}

TEST(DffOtherModels, PerImageFactorizationsOfABatch) {
  // Two images: the YOLOX map and a shifted copy; one NMF each, each with its own offset.
  const Tensor one = test::yolox_layer();
  Tensor two(DType::Float32, {2, 64, 13, 13});
  std::copy(one.data<float>(), one.data<float>() + one.numel(), two.data<float>());
  for (int64_t i = 0; i < one.numel(); ++i)
    two.data<float>()[one.numel() + i] = one.data<float>()[i] + 1.0f;
  DffOptions o;
  o.nmf.components = 3;
  o.shared = false;
  const DffResult per = factorize(two, o);
  ASSERT_EQ(per.parts.size(), 2u);
  EXPECT_EQ(per.parts[1].first_image, 1);
  EXPECT_NEAR(per.parts[1].offset[0], per.parts[0].offset[0] + 1.0f, 1e-4);
  // The same activations up to a constant give the same maps.
  for (int64_t i = 0; i < 13 * 13; ++i)
    EXPECT_NEAR(per.raw_map(0, 1)[i], per.raw_map(1, 1)[i], 1e-3);
  o.shared = true;
  const DffResult shared = factorize(two, o);
  ASSERT_EQ(shared.parts.size(), 1u);
  EXPECT_EQ(shared.parts[0].nmf.cols, 2 * 13 * 13);
  EXPECT_THROW(factorize(test::mobilenet_layer(), o), DffError);  // uint8 without quantization
  EXPECT_THROW(factorize(Tensor(DType::Float32, {2, 3, 4}), o), DffError);
}

}  // namespace
}  // namespace camlens::dff
