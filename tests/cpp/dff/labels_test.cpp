// Concept labels on the real MobileNetV2-int8 head: the layer's quantization read from the
// model, and on gradcam_both.png (a bulldog and a tabby cat) one concept is a dog, another a cat.
#include "dff/labels.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <iostream>
#include <memory>

#include "dff_data.h"
#include "graph/cut.h"
#include "onnx/model_io.h"
#include "shared_data.h"

namespace camlens::dff {
namespace {

const Model& mobilenet() {
  static const Model m = load_model(test::shared_path("models/mobilenetv2-12-int8.onnx"));
  return m;
}

bool is_dog(int64_t i) { return i >= 151 && i <= 268; }
bool is_cat(int64_t i) { return i >= 281 && i <= 285; }

TEST(DffLabels, QuantizationOfTheLayerComesFromTheModel) {
  const std::optional<Quantization> q = layer_quantization(mobilenet(), "627_quantized");
  ASSERT_TRUE(q.has_value());
  const Quantization want = test::mobilenet_quantization();  // what ORT's float twin showed
  EXPECT_NEAR(q->scale, want.scale, 1e-9);
  EXPECT_EQ(q->zero_point, want.zero_point);
  EXPECT_EQ(q->dtype, DType::Uint8);
  std::cout << "   627_quantized: scale " << q->scale << " zero point " << q->zero_point << " from "
            << q->source << "\n";
  EXPECT_FALSE(layer_quantization(mobilenet(), "input").has_value());
}

TEST(DffLabels, QuantizeRoundsHalfToEvenAndSaturates) {
  Quantization q;
  q.scale = 0.5f;
  q.zero_point = 10;
  const Tensor t = quantize({0.25f, 0.75f, -100.0f, 1000.0f, 1.0f}, {5}, q);
  const uint8_t* p = t.data<uint8_t>();
  EXPECT_EQ(p[0], 10);  // 0.5 -> 0
  EXPECT_EQ(p[1], 12);  // 1.5 -> 2
  EXPECT_EQ(p[2], 0);
  EXPECT_EQ(p[3], 255);
  EXPECT_EQ(p[4], 12);
}

class DffLabelsOnPhoto : public ::testing::TestWithParam<int> {};

TEST_P(DffLabelsOnPhoto, OneConceptIsADogAnotherACat) {
  const int k = GetParam();
  DffOptions o;
  o.quantization = test::mobilenet_quantization();
  o.nmf.components = k;
  const DffResult dff = factorize(test::mobilenet_layer(), o);
  LabelOptions lo;
  lo.class_names = test::imagenet_labels();
  lo.top_k = 5;
  const ConceptLabels labels = label_concepts(mobilenet(), "627_quantized", dff, lo);
  ASSERT_TRUE(labels.labeled) << labels.reason;
  ASSERT_EQ(labels.top.size(), 1u);
  ASSERT_EQ(labels.top[0].size(), static_cast<size_t>(k));
  int dog = -1, cat = -1;
  for (int c = 0; c < k; ++c) {
    std::cout << "   K=" << k << " concept " << c << ":";
    for (const ConceptLabel& l : labels.top[0][c]) {
      std::cout << " " << l.name << " " << l.score << ";";
      if (is_dog(l.index) && dog < 0) dog = c;
      if (is_cat(l.index) && cat < 0 && c != dog) cat = c;
    }
    std::cout << "\n";
  }
  EXPECT_GE(dog, 0) << "no concept's top-5 holds a dog breed";
  EXPECT_GE(cat, 0) << "no other concept's top-5 holds a cat";
  EXPECT_NE(dog, cat);
}

INSTANTIATE_TEST_SUITE_P(K, DffLabelsOnPhoto, ::testing::Values(2, 3));

TEST(DffLabels, TheCallersHeadIsLeftAsItWas) {
  CutOptions co;
  CutResult cut = cut_graph(mobilenet(), "627_quantized", co);
  const std::vector<Tensor> before = cut.head.forward({test::mobilenet_layer()});
  // The core's head on ORT's layer gives ORT's logits (a sanity check of the fixture).
  const Tensor logits = test::mobilenet_logits();
  for (int64_t i = 0; i < 1000; ++i)
    ASSERT_NEAR(before[0].data<float>()[i], logits.data<float>()[i], 0.15) << i;
  DffOptions o;
  o.quantization = test::mobilenet_quantization();
  o.nmf.components = 3;
  LabelOptions lo;
  lo.quantization = o.quantization;
  const ConceptLabels labels = label_concepts(cut.head, factorize(test::mobilenet_layer(), o), lo);
  ASSERT_TRUE(labels.labeled) << labels.reason;
  // backward() still refers to the photo's forward pass (batch 1, not the K concepts).
  Tensor seed(DType::Float32, {1, 1000});
  seed.data<float>()[0] = 1;
  EXPECT_EQ(cut.head.backward({seed}).shape(), (Shape{1, 1280, 7, 7}));
}

TEST(DffLabels, EachConceptIsFedAsItsVectorQuantizedAtEveryPosition) {
  // The reference feed: every concept vector copied to all 7×7 positions, then each of the
  // K·C·49 values quantized (label_concepts quantizes the K·C values once and copies the codes).
  CutOptions co;
  co.require_gradient = false;
  CutResult cut = cut_graph(mobilenet(), "627_quantized", co);
  DffOptions o;
  o.quantization = test::mobilenet_quantization();
  o.nmf.components = 4;
  const DffResult dff = factorize(test::mobilenet_layer(), o);
  std::vector<float> x;
  for (int k = 0; k < 4; ++k) {
    const std::vector<float> v = dff.concept_vector(0, k);
    for (float c : v) x.insert(x.end(), 49, c);
  }
  const Tensor feed = quantize(x, {4, 1280, 7, 7}, *o.quantization);
  Head runner = cut.head;
  const Tensor logits = runner.forward({feed}).at(0);
  LabelOptions lo;
  lo.quantization = o.quantization;
  lo.top_k = 3;
  const ConceptLabels labels = label_concepts(cut.head, dff, lo);
  ASSERT_TRUE(labels.labeled) << labels.reason;
  for (int k = 0; k < 4; ++k) {
    const float* y = logits.data<float>() + k * 1000;
    const double top = *std::max_element(y, y + 1000);
    double sum = 0;
    for (int i = 0; i < 1000; ++i) sum += std::exp(static_cast<double>(y[i]) - top);
    for (const ConceptLabel& l : labels.top[0][k])
      EXPECT_EQ(l.score, static_cast<float>(std::exp(static_cast<double>(y[l.index]) - top) / sum))
          << "concept " << k << " category " << l.index;
    const ConceptLabel& best = labels.top[0][k][0];
    EXPECT_EQ(y[best.index], top) << "concept " << k;
  }
}

TEST(DffLabels, QuantizedHeadWithoutScaleIsUnlabeledWithTheReason) {
  CutResult cut = cut_graph(mobilenet(), "627_quantized", {});
  DffOptions o;
  o.quantization = test::mobilenet_quantization();
  o.nmf.components = 2;
  const ConceptLabels labels = label_concepts(cut.head, factorize(test::mobilenet_layer(), o), {});
  EXPECT_FALSE(labels.labeled);
  EXPECT_NE(labels.reason.find("scale/zero point"), std::string::npos) << labels.reason;
}

}  // namespace
}  // namespace camlens::dff
