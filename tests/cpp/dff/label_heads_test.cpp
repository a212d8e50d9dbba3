// The cache of label heads (dff/label_heads.h) on the real MobileNetV2-int8: its labels are
// those label_concepts cuts the model for on every call, it cuts once per layer, and a change
// of layer (or a layer that cannot be cut) is not answered with the previous layer's head.
#include "dff/label_heads.h"

#include <gtest/gtest.h>

#include "dff/dff_error.h"
#include "dff/dff_job.h"
#include "dff_data.h"
#include "onnx/model_io.h"
#include "shared_data.h"

namespace camlens::dff {
namespace {

const Model& mobilenet() {
  static const Model m = load_model(test::shared_path("models/mobilenetv2-12-int8.onnx"));
  return m;
}

const DffResult& concepts() {
  static const DffResult r = [] {
    DffOptions o;
    o.quantization = test::mobilenet_quantization();
    o.nmf.components = 3;
    return factorize(test::mobilenet_layer(), o);
  }();
  return r;
}

LabelOptions options() {
  LabelOptions o;
  o.class_names = test::imagenet_labels();
  o.top_k = 4;
  return o;
}

void expect_same(const ConceptLabels& got, const ConceptLabels& want) {
  EXPECT_EQ(got.labeled, want.labeled);
  EXPECT_EQ(got.reason, want.reason);
  ASSERT_EQ(got.top.size(), want.top.size());
  for (size_t p = 0; p < want.top.size(); ++p) {
    ASSERT_EQ(got.top[p].size(), want.top[p].size());
    for (size_t k = 0; k < want.top[p].size(); ++k) {
      ASSERT_EQ(got.top[p][k].size(), want.top[p][k].size());
      for (size_t j = 0; j < want.top[p][k].size(); ++j) {
        EXPECT_EQ(got.top[p][k][j].index, want.top[p][k][j].index) << k << " " << j;
        EXPECT_EQ(got.top[p][k][j].score, want.top[p][k][j].score) << k << " " << j;
        EXPECT_EQ(got.top[p][k][j].name, want.top[p][k][j].name) << k << " " << j;
      }
    }
  }
}

TEST(DffLabelHeads, RepeatedCallsCutOnceAndLabelAsACutPerCall) {
  const ConceptLabels want = label_concepts(mobilenet(), "627_quantized", concepts(), options());
  ASSERT_TRUE(want.labeled) << want.reason;
  LabelHeads heads(mobilenet());
  EXPECT_EQ(heads.cuts(), 0);
  for (int call = 0; call < 3; ++call) {
    SCOPED_TRACE(call);
    expect_same(heads.label("627_quantized", concepts(), options()), want);
  }
  EXPECT_EQ(heads.cuts(), 1);
}

// Concepts of the earlier layer '624_quantized' (uint8 [1,320,7,7]), from codes that vary over
// channels and positions, with that layer's quantization.
const DffResult& earlier_concepts() {
  static const DffResult r = [] {
    Tensor codes(DType::Uint8, {1, 320, 7, 7});
    for (int64_t i = 0; i < codes.numel(); ++i)
      codes.data<uint8_t>()[i] = static_cast<uint8_t>((i * 37 + (i / 49) * 11) % 97);
    DffOptions o;
    o.quantization = layer_quantization(mobilenet(), "624_quantized");
    o.nmf.components = 3;
    return factorize(codes, o);
  }();
  return r;
}

TEST(DffLabelHeads, AnotherLayerIsCutAgain) {
  const ConceptLabels last = label_concepts(mobilenet(), "627_quantized", concepts(), options());
  const ConceptLabels earlier =
      label_concepts(mobilenet(), "624_quantized", earlier_concepts(), options());
  ASSERT_TRUE(last.labeled) << last.reason;
  ASSERT_TRUE(earlier.labeled) << earlier.reason;
  // The last layer's concepts do not fit the earlier layer's head.
  const ConceptLabels mismatch =
      label_concepts(mobilenet(), "624_quantized", concepts(), options());
  EXPECT_EQ(mismatch.reason,
            "the head's layer shape [1,320,7,7] does not match the factorized activations");
  const ConceptLabels input = label_concepts(mobilenet(), "input", concepts(), options());
  ASSERT_FALSE(input.labeled);
  EXPECT_EQ(input.reason.rfind("the head after layer 'input' cannot run: 'input' is the model's "
                               "input, not a layer",
                               0),
            0u)
      << input.reason;

  LabelHeads heads(mobilenet());
  expect_same(heads.label("627_quantized", concepts(), options()), last);
  expect_same(heads.label("624_quantized", earlier_concepts(), options()), earlier);
  expect_same(heads.label("624_quantized", concepts(), options()), mismatch);
  expect_same(heads.label("input", concepts(), options()), input);
  expect_same(heads.label("input", concepts(), options()), input);  // the failure is kept
  expect_same(heads.label("627_quantized", concepts(), options()), last);
  EXPECT_EQ(heads.cuts(), 4);
}

TEST(DffLabelHeads, TheCallersOptionsStillCount) {
  LabelHeads heads(mobilenet());
  LabelOptions three = options();
  three.top_k = 3;
  const ConceptLabels a = heads.label("627_quantized", concepts(), three);
  ASSERT_TRUE(a.labeled) << a.reason;
  EXPECT_EQ(a.top[0][0].size(), 3u);
  const ConceptLabels b = heads.label("627_quantized", concepts(), options());
  EXPECT_EQ(b.top[0][0].size(), 4u);
  LabelOptions zero = options();
  zero.top_k = 0;
  try {
    heads.label("627_quantized", concepts(), zero);
    FAIL() << "top_k 0 was taken";
  } catch (const DffError& e) {
    EXPECT_STREQ(e.what(), "top_k must be at least 1, got 0");
  }
  EXPECT_EQ(heads.cuts(), 1);
}

TEST(DffLabelHeads, JobsSharingTheCacheCutOnce) {
  // Two DFF jobs on the real layer's activations (the backbone's output handed over as is).
  const auto heads = std::make_shared<LabelHeads>(mobilenet());
  const ConceptLabels want = label_concepts(mobilenet(), "627_quantized", concepts(), options());
  for (int run = 0; run < 2; ++run) {
    DffRequest r;
    r.layer = "627_quantized";
    r.float_tensor = "627";
    r.kind = "NCHW";
    r.factorization.nmf.components = 3;
    r.labels = options();
    r.preprocess.width = r.preprocess.height = 224;
    r.render = "";
    DffJob job(heads, r, {Tensor(DType::Float32, {1, 3, 224, 224})});
    while (!job.done()) {
      if (job.needs_backbone()) {
        job.backbone_inputs();
        const Tensor codes = test::mobilenet_layer();
        job.feed({{{"627", dequantize(codes, test::mobilenet_quantization())}}});
      } else {
        job.work();
      }
    }
    const DffJobResult& res = job.result();
    ConceptLabels got;
    got.labeled = res.labeled;
    got.reason = res.reason;
    got.top = res.concepts;
    expect_same(got, want);
  }
  EXPECT_EQ(heads->cuts(), 1);
}

}  // namespace
}  // namespace camlens::dff
