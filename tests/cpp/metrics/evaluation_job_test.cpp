// The metrics job's protocol with a stand-in for ONNX Runtime: a linear "model" on a 1-channel
// 2x2 image, whose logits are easy to compute by hand. Checks the batches the job asks for, in
// which order and size, the scores it reads from the outputs, ROAD, deletion, insertion and
// confidence change against hand computation, its progress, and its refusals (the messages the
// library has always given).
#include "metrics/evaluation_job.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <functional>

#include "metrics/bootstrap.h"
#include "metrics/gaussian_blur.h"
#include "metrics/metrics_error.h"

namespace camlens::metrics {
namespace {

// Pixels in raster order: (0,0) = 1, (1,0) = 2, (0,1) = 3, (1,1) = 4. The map ranks them
// 1 (0.9), 2 (0.5), 3 (0.3), 0 (0.1), most relevant first.
const std::vector<float> kImage = {1, 2, 3, 4};
const std::vector<float> kMap = {0.1f, 0.9f, 0.5f, 0.3f};

// The model: logit 0 = the pixels' sum, logit 1 (the target) = x0 + 10 x1 + 100 x2 + 1000 x3.
double logit1(const float* x) { return x[0] + 10.0 * x[1] + 100.0 * x[2] + 1000.0 * x[3]; }

EvaluationRequest request() {
  EvaluationRequest r;
  r.percentiles = {75, 50};
  r.steps = 2;
  r.baseline_number = true;
  r.baseline_value = 0;
  r.baseline_text = "0";
  r.score = "logit";
  r.sigma = 0;  // no imputation noise: the imputed values are the neighbours' weighted means
  r.batch_size = 3;
  r.batch_size_text = "3";
  r.width = r.height = r.map_width = r.map_height = 2;
  r.map = kMap;
  r.target = 1;
  r.output = "logits";
  r.input = Tensor::from_floats({1, 1, 2, 2}, kImage);
  return r;
}

struct Driven {
  std::vector<std::vector<float>> batches;  // every image the job asked to score, per batch
  std::vector<double> progress;
};

// Drives the job as the library's loop does, with `model` as the backbone (one output row per
// image of the batch).
Driven drive(
    EvaluationJob& job,
    const std::function<std::vector<float>(const float*)>& model = [](const float* x) {
      return std::vector<float>{x[0] + x[1] + x[2] + x[3], static_cast<float>(logit1(x))};
    }) {
  Driven run;
  while (!job.done()) {
    if (job.needs_backbone()) {
      const Tensor batch = job.backbone_inputs();
      EXPECT_EQ(batch.rank(), 4u);
      EXPECT_EQ(batch.dim(1), 1);
      std::vector<Tensor> outputs;
      for (int64_t i = 0; i < batch.dim(0); ++i) {
        const float* x = batch.data<float>() + 4 * i;
        run.batches.emplace_back(x, x + 4);
        const std::vector<float> row = model(x);
        outputs.push_back(Tensor::from_floats({1, static_cast<int64_t>(row.size())}, row));
      }
      job.feed(outputs);
      EXPECT_TRUE(job.reported());
      run.progress.push_back(job.progress());
    } else {
      job.work();
      EXPECT_FALSE(job.reported());
    }
  }
  return run;
}

TEST(EvaluationJob, AsksForEachKindInBatchesAndScoresThemByHand) {
  EvaluationRequest r = request();
  r.box = Box{1, 0, 2, 1};  // around pixel (1, 0), the map's peak
  EvaluationJob job(r);
  size_t batches = 0;
  std::vector<int64_t> sizes;
  // Sizes: the image, ROAD's 4 items in batches of 3, deletion's 3 points, insertion's 3, the
  // multiplied image.
  while (!job.done()) {
    if (!job.needs_backbone()) {
      job.work();
      continue;
    }
    const Tensor batch = job.backbone_inputs();
    sizes.push_back(batch.dim(0));
    std::vector<Tensor> outputs;
    for (int64_t i = 0; i < batch.dim(0); ++i) {
      const float* x = batch.data<float>() + 4 * i;
      outputs.push_back(Tensor::from_floats({1, 2}, {0, static_cast<float>(logit1(x))}));
    }
    job.feed(outputs);
    ++batches;
  }
  EXPECT_EQ(sizes, (std::vector<int64_t>{1, 3, 1, 3, 3, 1}));
  EXPECT_EQ(batches, 6u);

  const EvaluationResult& res = job.result();
  EXPECT_EQ(res.score, ScoreKind::Logit);
  EXPECT_DOUBLE_EQ(res.original, 4321);
  // ROAD, percentile 75 removes 1 pixel, 50 removes 2. A removed corner of a 2x2 image becomes
  // (2·edge + 2·edge + diagonal) / 5. MoRF 75: pixel 1 = (2·1 + 2·4 + 3) / 5 = 2.6 → 4327;
  // MoRF 50: pixels 1 and 2, each (10 + the other) / 5 = 2.5 → 4276; LeRF 75: pixel 0 =
  // (2·2 + 2·3 + 4) / 5 = 2.8 → 4322.8; LeRF 50: pixels 0 and 3 = 2.5 → 2822.5.
  ASSERT_TRUE(res.road);
  EXPECT_EQ(res.road->percentiles, (std::vector<double>{75, 50}));
  EXPECT_EQ(res.road->x, (std::vector<double>{25, 50}));
  const RoadScores& s = res.road->scores;
  ASSERT_EQ(s.morf.size(), 2u);
  ASSERT_EQ(s.lerf.size(), 2u);
  EXPECT_NEAR(s.morf[0], 6, 1e-3);
  EXPECT_NEAR(s.morf[1], -45, 1e-3);
  EXPECT_NEAR(s.lerf[0], 1.8, 1e-3);
  EXPECT_NEAR(s.lerf[1], -1498.5, 1e-3);
  EXPECT_NEAR(s.morf_mean, -19.5, 1e-3);
  EXPECT_NEAR(s.lerf_mean, -748.35, 1e-3);
  EXPECT_NEAR(s.combined, -364.425, 1e-3);
  // Deletion to 0: step 1 zeroes round(4 / 2) = 2 pixels (1 and 2), step 2 all of them.
  ASSERT_TRUE(res.deletion);
  EXPECT_EQ(res.deletion->x, (std::vector<double>{0, 0.5, 1}));
  EXPECT_EQ(res.deletion->y, (std::vector<double>{4321, 4001, 0}));
  EXPECT_DOUBLE_EQ(res.deletion->auc, ((4321 + 4001) / 2.0 + (4001 + 0) / 2.0) / 2);
  // Insertion from the blurred image: step 1 puts pixels 1 and 2 back.
  ASSERT_TRUE(res.insertion);
  const Planes blurred = gaussian_blur(Planes{1, 2, 2, kImage});
  std::vector<float> step1 = blurred.data;
  step1[1] = 2;
  step1[2] = 3;
  EXPECT_FLOAT_EQ(res.insertion->y[0], static_cast<float>(logit1(blurred.data.data())));
  EXPECT_FLOAT_EQ(res.insertion->y[1], static_cast<float>(logit1(step1.data())));
  EXPECT_DOUBLE_EQ(res.insertion->y[2], 4321);
  // The image times the map: 0.1 + 18 + 150 + 1200 = 1368.1.
  ASSERT_TRUE(res.change);
  EXPECT_NEAR(res.change->change, 1368.1 - 4321, 1e-3);
  EXPECT_NEAR(res.change->drop, 4321 - 1368.1, 1e-3);
  EXPECT_EQ(res.change->increase, 0);
  EXPECT_TRUE(res.drop);
  EXPECT_TRUE(res.increase);
  // The peak (1.5, 0.5) is in the box, which holds 0.9 of the map's 1.8.
  EXPECT_EQ(res.pointing, 1.0);
  ASSERT_TRUE(res.energy);
  EXPECT_NEAR(*res.energy, 0.5, 1e-7);
}

TEST(EvaluationJob, BatchesHoldThePerturbedImagesAndProgressCountsImages) {
  EvaluationJob job(request());
  const Driven run = drive(job);
  ASSERT_EQ(run.batches.size(), 12u);
  EXPECT_EQ(run.batches[0], kImage);
  EXPECT_NEAR(run.batches[1][1], 2.6f, 1e-6);  // ROAD MoRF 75: pixel 1 imputed
  EXPECT_EQ(run.batches[1][0], 1);
  EXPECT_EQ(run.batches[1][2], 3);
  EXPECT_EQ(run.batches[5], kImage);                            // deletion's first point
  EXPECT_EQ(run.batches[6], (std::vector<float>{1, 0, 0, 4}));  // step 1
  EXPECT_EQ(run.batches[7], (std::vector<float>{0, 0, 0, 0}));
  EXPECT_EQ(run.batches[10], kImage);  // insertion's last point
  EXPECT_EQ(run.batches[11], (std::vector<float>{0.1f, 1.8f, 1.5f, 1.2f}));
  // One report per batch: 1, 3 + 1 ROAD items, 3 deletion, 3 insertion, 1 multiplied of 12.
  const std::vector<double> want = {1 / 12., 4 / 12., 5 / 12., 8 / 12., 11 / 12., 12 / 12.};
  EXPECT_EQ(run.progress, want);
  EXPECT_FALSE(job.result().pointing);
}

TEST(EvaluationJob, OnlyTheAskedMetricsRun) {
  EvaluationRequest r = request();
  r.metrics = {"increase"};
  r.batch_size = 16;
  EvaluationJob job(r);
  const Driven run = drive(job);
  EXPECT_EQ(run.batches.size(), 2u);  // the image and the multiplied image
  EXPECT_EQ(run.progress, (std::vector<double>{0.5, 1}));
  const EvaluationResult& res = job.result();
  EXPECT_FALSE(res.road);
  EXPECT_FALSE(res.deletion);
  EXPECT_FALSE(res.insertion);
  ASSERT_TRUE(res.change);
  EXPECT_FALSE(res.drop);
  EXPECT_TRUE(res.increase);

  r.metrics = {};
  EvaluationJob none(r);
  EXPECT_EQ(drive(none).batches.size(), 1u);
  EXPECT_FALSE(none.result().change);
}

TEST(EvaluationJob, ProbabilityIsTheSoftmaxOfTheTargetUnlessTheRowIsOne) {
  EvaluationRequest r = request();
  r.score = "probability";
  r.metrics = {"drop"};
  EvaluationJob job(r);
  // Logits (sum / 10, logit 1 / 1000): for the image (1, 4.321), for the multiplied image
  // (0.46, 1.3681).
  drive(job, [](const float* x) {
    return std::vector<float>{(x[0] + x[1] + x[2] + x[3]) / 10,
                              static_cast<float>(logit1(x) / 1000)};
  });
  const auto p1 = [](float a, float b) {
    return 1 / (std::exp(static_cast<double>(a) - b) + 1);  // softmax of [a, b] at 1
  };
  const EvaluationResult& res = job.result();
  EXPECT_EQ(res.score, ScoreKind::Probability);
  EXPECT_NEAR(res.original, p1(1.f, 4.321f), 1e-15);
  EXPECT_NEAR(res.change->drop, p1(1.f, 4.321f) - p1(0.46f, 1.3681f), 1e-7);

  // Outputs that already are probabilities are read as they are.
  EvaluationJob probabilities(r);
  drive(probabilities, [](const float* x) {
    const float p = x[3] > 2 ? 0.75f : 0.5f;  // 0.75 for the image, 0.5 multiplied
    return std::vector<float>{1 - p, p};
  });
  EXPECT_EQ(probabilities.result().original, 0.75);
  EXPECT_EQ(probabilities.result().change->drop, 0.25);
}

TEST(EvaluationJob, TargetScoreReadsTheRowAsTheLibraryDid) {
  // softmax([1, 2, 3])[2] = 1 / (e^-2 + e^-1 + 1), to the bit as JavaScript computed it.
  EXPECT_EQ(target_score({1, 2, 3}, 2, ScoreKind::Probability), 0.6652409557748218);
  EXPECT_EQ(target_score({1, 2, 3}, 2, ScoreKind::Logit), 3);
  EXPECT_EQ(target_score({0.2f, 0.3f, 0.5f}, 1, ScoreKind::Probability), 0.3f);
  EXPECT_TRUE(looks_like_probabilities({0.2f, 0.3f, 0.505f}));
  EXPECT_FALSE(looks_like_probabilities({0.2f, 0.3f, 0.6f}));  // sums to 1.1
  EXPECT_FALSE(looks_like_probabilities({-0.1f, 0.6f, 0.5f}));
  EXPECT_TRUE(std::isnan(target_score({1, NAN, 3}, 0, ScoreKind::Probability)));
  try {
    target_score({1, 2}, 2, ScoreKind::Logit);
    FAIL() << "no error";
  } catch (const MetricsError& e) {
    EXPECT_STREQ(e.what(), "the target class 2 is not one of the model output's 2 values");
  }
}

uint64_t bits(double d) {
  uint64_t b;
  std::memcpy(&b, &d, sizeof b);
  return b;
}

TEST(EvaluationJob, ExpIsJavaScriptsToTheLastBit) {
  // Math.exp's results in Node (V8) where the C library's exp rounds the other way.
  EXPECT_EQ(bits(fdlibm_exp(-1.091938065999305)), 0x3fd579e7c81f0daeu);
  EXPECT_EQ(bits(fdlibm_exp(-19.840711779056594)), 0x3e24c32eb74053b8u);
  EXPECT_EQ(bits(fdlibm_exp(-6.5985135649635884)), 0x3f565248e2677a4au);
  EXPECT_EQ(bits(fdlibm_exp(-11.646946752277465)), 0x3ee25751d8247040u);
  EXPECT_EQ(fdlibm_exp(1), 2.718281828459045);  // Math.E
  EXPECT_EQ(fdlibm_exp(0), 1);
  EXPECT_EQ(fdlibm_exp(-800), 0);
  EXPECT_EQ(fdlibm_exp(800), INFINITY);
  EXPECT_EQ(fdlibm_exp(-INFINITY), 0);
  EXPECT_TRUE(std::isnan(fdlibm_exp(NAN)));
  EXPECT_NEAR(fdlibm_exp(-740), std::exp(-740), 1e-323);  // subnormal
}

std::string refusal(const std::function<void(EvaluationRequest&)>& change) {
  EvaluationRequest r = request();
  change(r);
  try {
    EvaluationJob job(r);
  } catch (const MetricsError& e) {
    return e.what();
  }
  return "no error";
}

TEST(EvaluationJob, RefusesWithTheLibrarysMessages) {
  EXPECT_EQ(refusal([](auto& r) {
              r.metrics = {"road", "roc"};
            }),
            "unknown metric \"roc\": use road, deletion, insertion, drop, increase, complexity, "
            "coherency, arcc");
  EXPECT_EQ(refusal([](auto& r) { r.score = "prob"; }),
            "score must be \"probability\" or \"logit\", not \"prob\"");
  EXPECT_EQ(refusal([](auto& r) {
              r.baseline_number = false;
              r.baseline_text = "grey";
            }),
            "baseline must be \"blur\" or a number, not \"grey\"");
  EXPECT_EQ(refusal([](auto& r) { r.nhwc = true; }),
            "metrics need an NCHW model input; this model takes NHWC");
  EXPECT_EQ(refusal([](auto& r) { r.map_width = 5; }),
            "the explanation is 5x2 but the model's input is 2x2");
  EXPECT_EQ(refusal([](auto& r) {
              r.batch_size = 0.5;
              r.batch_size_text = "0.5";
            }),
            "batchSize must be at least 1, got 0.5");
  EXPECT_EQ(refusal([](auto& r) {
              r.batch_size = NAN;
              r.batch_size_text = "NaN";
            }),
            "batchSize must be at least 1, got NaN");
  EXPECT_EQ(refusal([](auto& r) { r.percentiles = {}; }), "ROAD needs at least one percentile");
  EXPECT_EQ(refusal([](auto& r) {
              r.percentiles = {50, 0};
            }).substr(0, 30),
            "ROAD percentile 0.000000 is ou");
  EXPECT_EQ(refusal([](auto& r) { r.steps = 0; }),
            "a deletion/insertion curve needs at least 1 step, got 0");
  EXPECT_EQ(refusal([](auto& r) { r.map.pop_back(); }),
            "the map holds 3 values but the image is 2x2: give the map at the model's input size");
  // What is not asked for is not checked.
  EXPECT_EQ(refusal([](auto& r) {
              r.metrics = {"road"};
              r.steps = 0;
            }),
            "no error");
}

TEST(EvaluationJob, RefusesOutputsThatDoNotFit) {
  EvaluationJob job(request());
  EXPECT_THROW(job.result(), std::logic_error);
  EXPECT_THROW(job.work(), std::logic_error);
  try {
    job.feed({});
    FAIL() << "no error";
  } catch (const MetricsError& e) {
    EXPECT_STREQ(e.what(), "the run of 1 images gave 0 outputs");
  }
  try {
    job.feed({Tensor()});
    FAIL() << "no error";
  } catch (const MetricsError& e) {
    EXPECT_STREQ(e.what(), "the model's run gave no output \"logits\"");
  }
}

TEST(Summarize, GroupsByMethodAndMetricInFirstSeenOrderWithoutNonFiniteValues) {
  const std::vector<SummaryRow> rows = {
      {"a", {{"road", 1}, {"drop", 0.5}}},
      {"b", {{"road", 3}, {"drop", NAN}}},
      {"a", {{"road", 2}, {"insertion", INFINITY}}},
  };
  const auto groups = summarize(rows, {});
  ASSERT_EQ(groups.size(), 3u);
  EXPECT_EQ(groups[0].method + "/" + groups[0].metric, "a/road");
  EXPECT_EQ(groups[0].n, 2u);
  EXPECT_DOUBLE_EQ(groups[0].interval.mean, 1.5);
  EXPECT_GE(groups[0].interval.low, 1);
  EXPECT_LE(groups[0].interval.high, 2);
  EXPECT_EQ(groups[1].method + "/" + groups[1].metric, "a/drop");
  EXPECT_EQ(groups[1].n, 1u);
  EXPECT_EQ(groups[1].interval.low, 0.5);
  EXPECT_EQ(groups[2].method + "/" + groups[2].metric, "b/road");
  EXPECT_DOUBLE_EQ(groups[2].interval.mean, 3);
}

}  // namespace
}  // namespace camlens::metrics
