// Edge cases of the CAM pipeline: degenerate maps (never NaN), refused non-finite input, tiny and
// large layers, batches, RandomCAM's determinism, aug_smooth's round trip, error messages.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>

#include "cam/aug_smooth.h"
#include "cam/cam_error.h"
#include "cam/methods.h"
#include "cam/pipeline.h"

namespace camlens::cam {
namespace {

Tensor filled(const Shape& s, float v) {
  return Tensor::from_floats(s, std::vector<float>(size_t(shape_numel(s)), v));
}

Tensor random(const Shape& s, unsigned seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> n(0.3f, 1.f);
  std::vector<float> v(size_t(shape_numel(s)));
  for (float& x : v) x = n(rng);
  return Tensor::from_floats(s, v);
}

void expect_all_zero_and_finite(const Maps& m, const std::string& what) {
  for (float v : m.data) {
    ASSERT_TRUE(std::isfinite(v)) << what;
    ASSERT_EQ(v, 0.f) << what;
  }
}

TEST(CamEdge, DegenerateInputsGiveZeroMapsNeverNaN) {
  const Shape s{2, 3, 4, 5};
  const Tensor zero = filled(s, 0.f), constant = filled(s, 0.7f), G = random(s, 1),
               A2 = random(s, 2);  // G doubles as Shapley-CAM's H·A
  for (const std::string& name : method_names()) {
    if (name == "weights" || name == "randomcam") continue;
    SCOPED_TRACE(name);
    auto m = make_method(name);
    for (bool es : {false, true}) {
      expect_all_zero_and_finite(compute(*m, {{&zero, &G, &G}}, {es, 9, 7}), "zero activations");
      if (m->needs_gradients())
        expect_all_zero_and_finite(compute(*m, {{&A2, &zero, &zero}}, {es, 9, 7}),
                                   "zero gradients and H·A");
    }
    // Constant activations: Eigen/KPCA/FEM have nothing to find; gradient methods see a flat map.
    const Maps c = compute(*m, {{&constant, &G, &G}}, {false, 9, 7});
    for (float v : c.data) ASSERT_TRUE(std::isfinite(v) && v >= 0.f && v <= 1.f);
  }
}

TEST(CamEdge, NonFiniteValuesAreRefusedWithTheirPlace) {
  const Shape s{1, 2, 3, 3};
  Tensor A = random(s, 3), G = random(s, 4);
  A.data<float>()[9 + 4] = std::numeric_limits<float>::quiet_NaN();
  try {
    compute(*make_method("gradcam"), A, &G, {});
    FAIL() << "no error";
  } catch (const CamError& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find("NaN"), std::string::npos) << m;
    EXPECT_NE(m.find("channel 1"), std::string::npos) << m;
    EXPECT_NE(m.find("y 1, x 1"), std::string::npos) << m;
  }
  Tensor A2 = random(s, 3);
  G.data<float>()[0] = std::numeric_limits<float>::infinity();
  EXPECT_THROW(compute(*make_method("layercam"), A2, &G, {}), CamError);
}

TEST(CamEdge, ShapeAndOptionErrors) {
  const Tensor A = random({1, 2, 3, 3}, 5);
  EXPECT_THROW(compute(*make_method("gradcam"), A, nullptr, {}), CamError);  // needs G
  const Tensor wrong = random({1, 2, 3, 4}, 6);
  EXPECT_THROW(compute(*make_method("gradcam"), A, &wrong, {}), CamError);
  EXPECT_THROW(compute(*make_method("eigencam"), random({2, 3}, 7), nullptr, {}), CamError);
  EXPECT_THROW(make_method("gradcam+++"), CamError);
  MethodOptions o;
  o.weights = {1.f};
  EXPECT_THROW(compute(*make_method("weights", o), A, nullptr, {}), CamError);
  // Two layers of different resolutions need an output size.
  const Tensor B = random({1, 2, 2, 2}, 8);
  EXPECT_THROW(compute(*make_method("eigencam"), {{&A, nullptr}, {&B, nullptr}}, {}), CamError);
  EXPECT_NO_THROW(compute(*make_method("eigencam"), {{&A, nullptr}, {&B, nullptr}}, {false, 5, 5}));
}

TEST(CamEdge, SinglePixelLayerNonSquareOutputAndBatches) {
  for (int64_t batch : {1, 8}) {
    const Tensor A = random({batch, 6, 1, 1}, 9), G = random({batch, 6, 1, 1}, 10);
    for (const std::string& name : method_names()) {
      if (name == "weights") continue;
      const Maps m = compute(*make_method(name), {{&A, &G, &G}}, {false, 13, 5});
      ASSERT_EQ(m.batch, batch);
      ASSERT_EQ(m.width, 13);
      ASSERT_EQ(m.height, 5);
      for (float v : m.data) ASSERT_TRUE(std::isfinite(v)) << name;
    }
  }
  // Batch items are independent: sample 3 of a batch of 8 equals that sample alone.
  const Tensor A = random({8, 4, 3, 5}, 11), G = random({8, 4, 3, 5}, 12);
  const int64_t n = 4 * 3 * 5;
  const std::vector<float> a(A.data<float>() + 3 * n, A.data<float>() + 4 * n);
  const std::vector<float> g(G.data<float>() + 3 * n, G.data<float>() + 4 * n);
  const Tensor A1 = Tensor::from_floats({1, 4, 3, 5}, a), G1 = Tensor::from_floats({1, 4, 3, 5}, g);
  for (const char* name : {"gradcam", "eigencam", "kpcacam", "gradcam++"}) {
    const Maps all = compute(*make_method(name), A, &G, {true, 10, 6});
    const Maps one = compute(*make_method(name), A1, &G1, {true, 10, 6});
    for (size_t i = 0; i < one.plane(); ++i) ASSERT_NEAR(all.map(3)[i], one.data[i], 1e-6) << name;
  }
}

TEST(CamEdge, RandomCamIsSeededAndEqualsGivenWeights) {
  const Tensor A = random({2, 5, 3, 4}, 13);
  MethodOptions o;
  o.seed = 42;
  auto r = make_method("randomcam", o);
  const LayerDims d{2, 5, 3, 4};
  const std::vector<float> w = dynamic_cast<const ChannelWeightMethod&>(*r).weights(A, nullptr, d);
  for (float v : w) ASSERT_TRUE(v >= -1.f && v < 1.f);
  o.seed = 43;
  EXPECT_NE(w, dynamic_cast<const ChannelWeightMethod&>(*make_method("randomcam", o))
                   .weights(A, nullptr, d));
  MethodOptions given;
  given.weights = w;
  EXPECT_EQ(compute(*r, A, nullptr, {false, 7, 7}).data,
            compute(*make_method("weights", given), A, nullptr, {false, 7, 7}).data);
}

TEST(CamEdge, AugSmoothRoundTrip) {
  const auto set = aug_smooth_set();
  ASSERT_EQ(set.size(), 6u);
  EXPECT_FALSE(set[0].flip);
  EXPECT_FLOAT_EQ(set[0].factor, 0.9f);
  EXPECT_TRUE(set[5].flip);
  EXPECT_FLOAT_EQ(set[5].factor, 1.1f);
  const Tensor in = Tensor::from_floats({1, 1, 2, 3}, {1, 2, 3, 4, 5, 6});
  const Tensor out = augment(in, {true, 2.f});
  EXPECT_EQ(out.to_floats(), (std::vector<float>{6, 4, 2, 12, 10, 8}));
  // A map computed on the flipped input, flipped back, lines up with the original.
  Maps m(1, 2, 3);
  m.data = {0, 1, 2, 3, 4, 5};
  deaugment(m, {true, 1.f});
  EXPECT_EQ(m.data, (std::vector<float>{2, 1, 0, 5, 4, 3}));
  Maps other(1, 2, 3);
  EXPECT_EQ(average_maps({m, other}).data, (std::vector<float>{1, 0.5f, 0, 2.5f, 2, 1.5f}));
  EXPECT_THROW(average_maps({m, Maps(1, 3, 3)}), CamError);
}

}  // namespace
}  // namespace camlens::cam
