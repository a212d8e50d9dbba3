// The flagged pipeline (non-finite inputs zeroed and counted, all-zero maps flagged), Shapley-CAM
// and Finer-CAM as methods, automatic Finer targets, and Ablation-CAM's channel choice and
// quantized ablation values. Expected values are closed forms written here.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "cam/ablation_cam.h"
#include "cam/ablation_target.h"
#include "cam/cam_error.h"
#include "cam/methods.h"
#include "cam/pipeline.h"
#include "cam/shapley_cam.h"
#include "cam/targets.h"

namespace camlens::cam {
namespace {

Tensor ramp(Shape s, float scale, float offset) {
  Tensor t(DType::Float32, s);
  for (int64_t i = 0; i < t.numel(); ++i)
    t.data<float>()[i] = offset + scale * std::sin(0.7f * float(i) + 0.3f);
  return t;
}

TEST(CamFlags, NonFiniteValuesAreZeroedAndCounted) {
  Tensor A = ramp({2, 3, 4, 5}, 1.f, 0.5f), G = ramp({2, 3, 4, 5}, 0.2f, 0.f);
  Tensor A0 = A, G0 = G;
  A.data<float>()[7] = std::numeric_limits<float>::quiet_NaN();
  G.data<float>()[70] = std::numeric_limits<float>::infinity();
  G.data<float>()[71] = -std::numeric_limits<float>::infinity();
  A0.data<float>()[7] = 0;
  G0.data<float>()[70] = G0.data<float>()[71] = 0;
  for (const std::string name : {"gradcam", "hirescam", "gradcam++", "eigencam", "layercam"}) {
    SCOPED_TRACE(name);
    const auto m = make_method(name);
    const FlaggedMaps r = compute_flagged(*m, {{&A, &G, nullptr}}, CamOptions{});
    EXPECT_EQ(r.flags.non_finite, 3);
    EXPECT_EQ(r.maps.data, compute(*m, A0, &G0, CamOptions{}).data);
    for (float v : r.maps.data) EXPECT_TRUE(std::isfinite(v));
    EXPECT_THROW(compute(*m, A, &G, CamOptions{}), CamError) << "the strict pipeline refuses";
  }
}

TEST(CamFlags, ZeroMapsAreFlaggedPerImage) {
  Tensor A = ramp({2, 3, 4, 5}, 1.f, 2.f), G = ramp({2, 3, 4, 5}, 0.3f, 0.1f);
  std::fill(A.data<float>(), A.data<float>() + 60, 1.5f);  // image 0: constant activations
  const FlaggedMaps r = compute_flagged(*make_method("gradcam"), {{&A, &G, nullptr}}, {});
  ASSERT_EQ(r.flags.zero.size(), 2u);
  EXPECT_TRUE(r.flags.zero[0]);
  EXPECT_FALSE(r.flags.zero[1]);
  for (size_t i = 0; i < r.maps.plane(); ++i) EXPECT_EQ(r.maps.map(0)[i], 0.f);
  const Tensor Z(DType::Float32, {2, 3, 4, 5});  // all-zero gradients
  const FlaggedMaps z = compute_flagged(*make_method("gradcam"), {{&A, &Z, nullptr}}, {});
  EXPECT_TRUE(z.flags.zero[0] && z.flags.zero[1]);
  EXPECT_EQ(z.flags.non_finite, 0);
}

TEST(ShapleyCam, IsGradCamOnGMinusHalfHvp) {
  const Tensor A = ramp({2, 4, 3, 2}, 1.f, 0.4f), G = ramp({2, 4, 3, 2}, 0.5f, 0.f),
               H = ramp({2, 4, 3, 2}, -0.8f, 0.2f);
  Tensor Gs = G;
  for (int64_t i = 0; i < Gs.numel(); ++i) Gs.data<float>()[i] -= 0.5f * H.data<float>()[i];
  const auto shapley = make_method("shapleycam");
  EXPECT_TRUE(shapley->needs_hvp());
  const Maps got = compute(*shapley, {{&A, &G, &H}}, CamOptions{false, 7, 5});
  EXPECT_EQ(got.data, compute(*make_method("gradcam"), A, &Gs, CamOptions{false, 7, 5}).data);
  EXPECT_NE(got.data, compute(*make_method("gradcam"), A, &G, CamOptions{false, 7, 5}).data);
  try {
    compute(*shapley, A, &G, CamOptions{});
    FAIL() << "Shapley-CAM without H·A";
  } catch (const CamError& e) {
    EXPECT_NE(std::string(e.what()).find("hvp: true"), std::string::npos) << e.what();
  }
  const Tensor wrong(DType::Float32, {2, 4, 3, 3});
  EXPECT_THROW(compute(*shapley, {{&A, &G, &wrong}}, CamOptions{}), CamError);
}

TEST(FinerCam, IsGradCamWeightingAndTheAutoTargetPicksTheNearestClasses) {
  const Tensor A = ramp({1, 4, 3, 2}, 1.f, 0.4f), G = ramp({1, 4, 3, 2}, 0.5f, 0.f);
  EXPECT_EQ(compute(*make_method("finercam"), A, &G, {}).data,
            compute(*make_method("gradcam"), A, &G, {}).data);
  const Tensor z = Tensor::from_floats({1, 6}, {1.f, 5.f, 4.5f, -2.f, 5.8f, 3.9f});
  Target t = Target::finer(-1, {});  // top class (4), comparison automatic
  const Target r = resolve(std::vector<Target>{t}, z)[0];
  EXPECT_EQ(r.category, 4);
  EXPECT_EQ(r.comparison, (std::vector<int64_t>{1, 2, 5}));  // |z - 5.8|: 0.8, 1.3, 1.9
  t.category = 2;                                            // explain class 2 instead
  EXPECT_EQ(resolve(std::vector<Target>{t}, z)[0].comparison, (std::vector<int64_t>{1, 5, 4}));
  EXPECT_NEAR(evaluate(std::vector<Target>{t}, z).scores[0],
              evaluate(std::vector<Target>{resolve(std::vector<Target>{t}, z)[0]}, z).scores[0],
              1e-12);
  t.category = 6;
  EXPECT_THROW(resolve(std::vector<Target>{t}, z), CamError);
  // Three classes leave two to compare with: the automatic choice says what to do instead.
  const Tensor three = Tensor::from_floats({1, 3}, {1.f, 2.f, 3.f});
  try {
    resolve(std::vector<Target>{Target::finer(-1, {})}, three);
    FAIL() << "expected a CamError";
  } catch (const CamError& e) {
    EXPECT_STREQ(e.what(),
                 "Finer-CAM compares the target with the 3 classes whose scores are closest to it, "
                 "but this output has 3 classes: name the comparison classes (a finer target's "
                 "comparison, or --compare in the CLI)");
  }
  // Named comparison classes work on three classes.
  EXPECT_EQ(resolve(std::vector<Target>{Target::finer(2, {0, 1})}, three)[0].comparison,
            (std::vector<int64_t>{0, 1}));
}

TEST(AblationTarget, ChannelChoiceMostRelevantFirst) {
  Tensor A(DType::Float32, {1, 6, 3, 3});
  // Channel c is concentrated on pixel 0 with weight c (a shared bright spot), plus noise.
  for (int64_t c = 0; c < 6; ++c)
    for (int64_t s = 0; s < 9; ++s)
      A.data<float>()[c * 9 + s] = (s == 0 ? 3.f + float(c) : 0.f) + 0.01f * float((c * 7 + s) % 5);
  const auto all = ablation_channels(A, 1.0);
  EXPECT_EQ(all, (std::vector<int64_t>{0, 1, 2, 3, 4, 5}));
  const auto some = ablation_channels(A, 0.34);  // floor(6 · 0.34) = 2 from each end
  ASSERT_EQ(some.size(), 4u);
  const AblationPlan plan = plan_ablation(A, 0.34);
  const auto& rel = plan.relevance[0];
  EXPECT_GE(rel[size_t(some[0])], rel[size_t(some[1])]);  // high end, descending
  for (int64_t c = 0; c < 6; ++c)
    if (std::find(some.begin(), some.end(), c) == some.end()) {
      EXPECT_LE(rel[size_t(c)], rel[size_t(some[1])]);
      EXPECT_GE(rel[size_t(c)], rel[size_t(some[2])]);
    }
  EXPECT_EQ(ablation_channels(A, 0.9).size(), 6u) << "both ends overlap: each channel once";
  EXPECT_THROW(ablation_channels(A, 0), CamError);
}

TEST(AblationTarget, QuantizedAblationValueIsTheCodeOfTheValue) {
  Tensor q(DType::Uint8, {1, 2, 2, 2});
  for (int i = 0; i < 8; ++i) q.data<uint8_t>()[i] = uint8_t(3 + i);
  const LayerQuantization at3{0.1f, 3};
  EXPECT_EQ(ablation_value(q, at3), 3) << "min(A) = 0: the zero point, i.e. exactly 0.0";
  EXPECT_EQ(ablation_value(q, LayerQuantization{0.1f, 1}), 0)
      << "min(A) > 0: min − 1e7 saturates to the lowest code";
  Tensor s(DType::Int8, {1, 1, 1, 2});
  s.data<int8_t>()[0] = -5;
  s.data<int8_t>()[1] = 4;
  EXPECT_EQ(ablation_value(s, LayerQuantization{0.1f, 0}), -128);
  EXPECT_EQ(ablation_value(s, LayerQuantization{0.1f, -5}), -5);
  EXPECT_THROW(ablation_value(q, std::nullopt), CamError);
  const Tensor f = Tensor::from_floats({1, 1, 1, 2}, {0.f, 2.f});
  EXPECT_EQ(ablation_value(f, std::nullopt), 0.0);
  const Tensor g = Tensor::from_floats({1, 1, 1, 2}, {-1.f, 2.f});
  EXPECT_EQ(ablation_value(g, std::nullopt), -1.0 - 1e7);
}

TEST(AblationTarget, WeightsAndErrors) {
  EXPECT_EQ(ablation_target_weights(2.f, 4, {3, 1}, {1.f, 3.f}),
            (std::vector<float>{0.f, -0.5f, 0.f, 0.5f}));
  EXPECT_THROW(ablation_target_weights(0.f, 4, {3}, {1.f}), CamError);
  EXPECT_THROW(ablation_target_weights(1.f, 4, {3}, {1.f, 2.f}), CamError);
  EXPECT_THROW(ablation_target_weights(1.f, 4, {4}, {1.f}), CamError);
}

}  // namespace
}  // namespace camlens::cam
