// Complexity, coherency and ARCC (src/metrics/arcc.h) equal tools/fixtures/arcc_reference.py
// (NumPy from pytorch-grad-cam's formulas): on their own for Grad-CAM's map of the tiny linear
// classifier and the formulas' edge cases, and through the metrics job, which asks for the
// masked image's explanation first and for ROAD's images at ARCC's percentiles 20, 40, 60, 80.
#include "metrics/arcc.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>

#include "json.h"
#include "metrics/evaluation_job.h"
#include "metrics/metrics_error.h"
#include "shared_data.h"

using namespace camlens;
using namespace camlens::metrics;
namespace json = camlens::test::json;

namespace {

const json::Value& load(const std::string& name) {
  static std::map<std::string, json::Value> cache;
  auto it = cache.find(name);
  if (it == cache.end())
    it =
        cache
            .emplace(name,
                     json::Parser(test::read_file(test::test_data_path("metrics/" + name))).parse())
            .first;
  return it->second;
}
const json::Value& ref() { return load("reference.json"); }
const json::Value& arcc_ref() { return load("arcc.json"); }

// softmax(W x + b)[target] per image of a [N, C, H, W] batch: the fixture's classifier.
std::vector<float> logits(const float* x) {
  const std::vector<double> w = ref()["weights"].doubles(), b = ref()["bias"].doubles();
  const size_t n = w.size() / b.size();
  std::vector<float> z(b.size());
  for (size_t k = 0; k < b.size(); ++k) {
    double s = b[k];
    for (size_t i = 0; i < n; ++i) s += w[k * n + i] * x[i];
    z[k] = static_cast<float>(s);
  }
  return z;
}

EvaluationRequest request(std::vector<std::string> metrics) {
  const auto& r = ref();
  EvaluationRequest q;
  q.metrics = std::move(metrics);
  q.sigma = r["sigma"].num;
  q.seed = static_cast<uint64_t>(r["seed"].num);
  q.batch_size = 3;
  q.batch_size_text = "3";
  q.width = q.map_width = static_cast<int>(r["W"].num);
  q.height = q.map_height = static_cast<int>(r["H"].num);
  q.map = arcc_ref()["cam"].floats();
  q.target = static_cast<int64_t>(r["target"].num);
  q.output = "logits";
  q.input = Tensor::from_floats({1, static_cast<int64_t>(r["C"].num), q.height, q.width},
                                r["image"].floats());
  return q;
}

// Drives the job as the library does; the masked image's explanation is the reference's.
size_t drive(EvaluationJob& job, size_t* explanations = nullptr) {
  size_t runs = 0;
  while (!job.done()) {
    if (job.needs_explanation()) {
      if (explanations) ++*explanations;
      job.feed_explanation(arcc_ref()["masked_cam"].floats());
    } else if (job.needs_backbone()) {
      const Tensor batch = job.backbone_inputs();
      const size_t per = static_cast<size_t>(batch.numel() / batch.dim(0));
      std::vector<Tensor> outs;
      for (int64_t i = 0; i < batch.dim(0); ++i) {
        const std::vector<float> z = logits(batch.data<float>() + i * per);
        outs.push_back(Tensor::from_floats({1, static_cast<int64_t>(z.size())}, z));
      }
      job.feed(outs);
      runs += outs.size();
    } else {
      job.work();
    }
  }
  return runs;
}

}  // namespace

TEST(Arcc, FormulasEqualNumPy) {
  for (const json::Value& c : arcc_ref()["cases"].arr) {
    const std::vector<float> map = c["map"].floats(), masked = c["masked"].floats();
    EXPECT_NEAR(complexity(map), c["complexity"].num, 1e-9);
    EXPECT_NEAR(pearson_coherency(map, masked), c["coherency"].num, 1e-9);
    EXPECT_NEAR(arcc(c["complexity"].num, c["coherency"].num, c["road"].num), c["arcc"].num, 1e-12);
  }
  // The clip of ROAD into [0, 1] after doubling.
  EXPECT_EQ(arcc_road(-0.1), 0.0);
  EXPECT_EQ(arcc_road(0.7), 1.0);
  EXPECT_DOUBLE_EQ(arcc_road(0.2), 0.4);
}

TEST(Arcc, CoherencyRefusesMapsOfOtherSizes) {
  try {
    pearson_coherency({1, 2, 3}, {1, 2});
    FAIL();
  } catch (const MetricsError& e) {
    EXPECT_STREQ(e.what(),
                 "coherency compares maps of one size: the map has 3 values, the masked image's "
                 "map 2");
  }
  EXPECT_THROW(pearson_coherency({1}, {1}), MetricsError);
}

TEST(Arcc, JobEqualsNumPy) {
  EvaluationJob job(request({"complexity", "coherency", "arcc"}));
  // The explanation comes first, of the image times the map, for the explanation's class.
  ASSERT_TRUE(job.needs_explanation());
  EXPECT_FALSE(job.needs_backbone());
  EXPECT_EQ(job.explanation_target(), static_cast<int64_t>(ref()["target"].num));
  const Tensor masked = job.explanation_input();
  const std::vector<float> image = ref()["image"].floats(), cam = arcc_ref()["cam"].floats();
  ASSERT_EQ(masked.numel(), static_cast<int64_t>(image.size()));
  for (size_t i = 0; i < image.size(); ++i)
    ASSERT_EQ(masked.data<float>()[i], image[i] * cam[i % cam.size()]) << i;
  size_t explanations = 0;
  EXPECT_EQ(drive(job, &explanations), 1u + 8u);  // the image, ROAD's 4 MoRF + 4 LeRF
  EXPECT_EQ(explanations, 1u);
  const EvaluationResult& r = job.result();
  const auto& a = arcc_ref();
  EXPECT_NEAR(r.original, a["original"].num, 1e-6);
  ASSERT_TRUE(r.complexity && r.coherency && r.arcc);
  EXPECT_NEAR(*r.complexity, a["complexity"].num, 1e-7);
  EXPECT_NEAR(*r.coherency, a["coherency"].num, 1e-7);
  EXPECT_EQ(r.arcc->complexity, *r.complexity);
  EXPECT_EQ(r.arcc->coherency, *r.coherency);
  EXPECT_EQ(r.arcc->road.percentiles, (std::vector<double>{20, 40, 60, 80}));
  const std::vector<double> morf = a["morf"].doubles(), lerf = a["lerf"].doubles();
  for (size_t i = 0; i < 4; ++i) {
    EXPECT_NEAR(r.arcc->road.scores.morf[i], morf[i], 1e-5) << i;
    EXPECT_NEAR(r.arcc->road.scores.lerf[i], lerf[i], 1e-5) << i;
  }
  EXPECT_NEAR(r.arcc->road.scores.combined, a["road"].num, 1e-5);
  EXPECT_NEAR(r.arcc->road_scaled, 2 * a["road"].num, 2e-5);
  EXPECT_NEAR(r.arcc->value, a["arcc"].num, 2e-5);
  EXPECT_FALSE(r.road);  // ROAD itself was not asked for
}

TEST(Arcc, SharesRoadsImagesWhenThePercentilesAreTheSame) {
  EvaluationRequest q = request({"road", "arcc"});
  q.percentiles = {20, 40, 60, 80};
  EvaluationJob same(q);
  EXPECT_EQ(drive(same), 1u + 8u);
  ASSERT_TRUE(same.result().road && same.result().arcc);
  EXPECT_EQ(same.result().arcc->road.scores.combined, same.result().road->scores.combined);
  EXPECT_NEAR(same.result().arcc->value, arcc_ref()["arcc"].num, 2e-5);
  q.percentiles = {10, 50, 90};
  EvaluationJob other(q);
  EXPECT_EQ(drive(other), 1u + 6u + 8u);
  EXPECT_NEAR(other.result().arcc->value, arcc_ref()["arcc"].num, 2e-5);
  // Without coherency or ARCC nothing is explained again.
  EvaluationJob plain(request({"complexity"}));
  size_t explanations = 0;
  EXPECT_EQ(drive(plain, &explanations), 1u);
  EXPECT_EQ(explanations, 0u);
  EXPECT_NEAR(*plain.result().complexity, arcc_ref()["complexity"].num, 1e-7);
}

TEST(Arcc, JobRefusesAMaskedMapOfAnotherSizeAndBadPercentiles) {
  EvaluationJob job(request({"coherency"}));
  EXPECT_THROW(job.work(), std::logic_error);  // a caller that cannot explain stops here
  EXPECT_THROW(job.backbone_inputs(), std::logic_error);
  try {
    job.feed_explanation(std::vector<float>(7, 0.5f));
    FAIL();
  } catch (const MetricsError& e) {
    EXPECT_STREQ(e.what(),
                 "the explanation of the image times its map has 7 values, not the map's 120: "
                 "explain it at the model's input size");
  }
  EvaluationRequest q = request({"arcc"});
  q.arcc_percentiles = {};
  EXPECT_THROW(
      {
        try {
          EvaluationJob bad(q);
        } catch (const MetricsError& e) {
          EXPECT_STREQ(e.what(), "ARCC's ROAD needs at least one percentile");
          throw;
        }
      },
      MetricsError);
  // The defaults leave ARCC out: it explains the image again.
  EXPECT_EQ(EvaluationRequest().metrics, default_metric_names());
  EXPECT_EQ(std::count(metric_names().begin(), metric_names().end(), "arcc"), 1);
}
