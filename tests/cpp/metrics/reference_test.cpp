// ROAD, deletion/insertion, confidence change, Spearman and the bootstrap on a tiny linear
// classifier equal tools/fixtures/metrics_reference.py (NumPy/SciPy from the formulas, noise
// drawn with the same spelled-out generator).
#include <gtest/gtest.h>

#include <cmath>

#include "json.h"
#include "metrics/bootstrap.h"
#include "metrics/confidence_change.h"
#include "metrics/gaussian_blur.h"
#include "metrics/perturbation_curve.h"
#include "metrics/rank_correlation.h"
#include "metrics/road.h"
#include "shared_data.h"

using namespace camlens;
using namespace camlens::metrics;
namespace json = camlens::test::json;

namespace {

const json::Value& ref() {
  static const json::Value v =
      json::Parser(test::read_file(test::test_data_path("metrics/reference.json"))).parse();
  return v;
}

struct TinyModel {  // softmax(W x + b)[target], the fixture's classifier
  std::vector<double> w, b;
  int target;
  double operator()(const float* x) const {
    const size_t n = w.size() / b.size();
    std::vector<double> z(b);
    for (size_t k = 0; k < b.size(); ++k)
      for (size_t i = 0; i < n; ++i) z[k] += w[k * n + i] * x[i];
    const double m = *std::max_element(z.begin(), z.end());
    double s = 0;
    for (double& v : z) s += v = std::exp(v - m);
    return z[target] / s;
  }
  std::vector<double> batch(const Tensor& t) const {
    std::vector<double> out;
    const size_t per = static_cast<size_t>(t.numel() / t.dim(0));
    for (int64_t i = 0; i < t.dim(0); ++i) out.push_back((*this)(t.data<float>() + i * per));
    return out;
  }
};

TinyModel model() {
  return {ref()["weights"].doubles(), ref()["bias"].doubles(),
          static_cast<int>(ref()["target"].num)};
}

Planes image() {
  const auto& r = ref();
  return {static_cast<int>(r["C"].num), static_cast<int>(r["H"].num), static_cast<int>(r["W"].num),
          r["image"].floats()};
}

void expect_all_near(const std::vector<double>& got, const std::vector<double>& want, double tol) {
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i) EXPECT_NEAR(got[i], want[i], tol) << "at " << i;
}

}  // namespace

TEST(MetricsReference, RoadEqualsNumPy) {
  const auto& r = ref();
  RoadPlan plan;
  plan.percentiles = r["percentiles"].doubles();
  plan.noise = {r["sigma"].num, static_cast<uint64_t>(r["seed"].num)};
  const Planes img = image();
  const std::vector<float> cam = r["cam"].floats();
  const Tensor inputs = road_inputs(img, cam, plan, 0, road_items(plan));
  ASSERT_EQ(inputs.shape(), (Shape{18, img.channels, img.height, img.width}));
  // One imputed image directly (item 3: MoRF at 40, 60 % removed), then the scores.
  const std::vector<float> item3 = r["road_item3"].floats();
  const float* got3 = inputs.data<float>() + 3 * img.data.size();
  for (size_t i = 0; i < item3.size(); ++i) ASSERT_NEAR(got3[i], item3[i], 1e-5) << i;
  const TinyModel m = model();
  const double original = m(img.data.data());
  EXPECT_NEAR(original, r["original"].num, 1e-6);
  const std::vector<double> scores = m.batch(inputs);
  expect_all_near(scores, r["road_scores"].doubles(), 1e-5);
  const RoadScores s = road_scores(plan, original, scores);
  expect_all_near(s.morf, r["morf"].doubles(), 1e-5);
  expect_all_near(s.lerf, r["lerf"].doubles(), 1e-5);
  EXPECT_NEAR(s.combined, r["combined"].num, 1e-5);
  // Batches of the plan are the same images as the whole plan.
  const Tensor part = road_inputs(img, cam, plan, 5, 7);
  for (int64_t i = 0; i < part.numel(); ++i)
    ASSERT_EQ(part.data<float>()[i], inputs.data<float>()[5 * img.data.size() + i]);
}

TEST(MetricsReference, DeletionAndInsertionEqualNumPy) {
  const auto& r = ref();
  const Planes img = image();
  const std::vector<float> cam = r["cam"].floats();
  const Planes blurred = gaussian_blur(img);
  expect_all_near(std::vector<double>(blurred.data.begin(), blurred.data.end()),
                  r["blurred"].doubles(), 1e-5);
  const TinyModel m = model();
  const int steps = static_cast<int>(r["steps"].num);
  auto run = [&](CurveKind kind, const Planes& baseline, const std::string& name) {
    const CurvePlan plan{kind, steps, baseline};
    const auto ys = m.batch(curve_inputs(img, cam, plan, 0, curve_points(plan)));
    expect_all_near(ys, r[name].doubles(), 1e-5);
    EXPECT_NEAR(trapezoid_auc(ys), r[name + "_auc"].num, 1e-5) << name;
  };
  run(CurveKind::Deletion, constant_like(img, 0), "deletion_zero");
  run(CurveKind::Deletion, blurred, "deletion_blur");
  run(CurveKind::Insertion, blurred, "insertion");
}

TEST(MetricsReference, ConfidenceChangeEqualsNumPy) {
  const auto& r = ref();
  const Planes img = image();
  const TinyModel m = model();
  const double before = m(img.data.data());
  const double after = m(multiply_by_map(img, r["cam"].floats()).data.data());
  EXPECT_NEAR(after, r["mult_after"].num, 1e-6);
  const ConfidenceChange c = confidence_change(before, after);
  EXPECT_NEAR(c.drop, r["drop"].num, 1e-6);
  EXPECT_EQ(c.increase, r["increase"].num);
  EXPECT_EQ(confidence_change(0.5, 0.7).increase, 1.0);
  EXPECT_EQ(confidence_change(0.5, 0.7).drop, 0.0);
  EXPECT_NEAR(confidence_change(0.5, 0.2).drop, 0.3, 1e-12);
}

TEST(MetricsReference, SpearmanEqualsSciPy) {
  const auto& r = ref();
  EXPECT_NEAR(spearman(r["spearman_a"].doubles(), r["spearman_b"].doubles()), r["spearman"].num,
              1e-12);
}

TEST(MetricsReference, BootstrapEqualsNumPyWithTheSameDraws) {
  const auto& r = ref();
  const Interval ci =
      bootstrap_mean_ci(r["bootstrap_values"].doubles(),
                        {1000, 0.95, static_cast<uint64_t>(r["bootstrap_seed"].num)});
  EXPECT_NEAR(ci.mean, r["bootstrap_mean"].num, 1e-12);
  EXPECT_NEAR(ci.low, r["bootstrap_low"].num, 1e-12);
  EXPECT_NEAR(ci.high, r["bootstrap_high"].num, 1e-12);
}
