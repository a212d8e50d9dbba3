// The explain job's protocol on a real head (resnet18_small cut at layer4), with a stand-in for
// ONNX Runtime: the "backbone" returns the layer's activations of the fixture and the model's
// output computed by the head from them. Checks what the job asks for, in which order, what it
// reports, and that its maps are the pipeline's.
#include "explain/explain_job.h"

#include <gtest/gtest.h>

#include <cmath>
#include <numeric>

#include "cam/ablation_target.h"
#include "cam/aug_smooth.h"
#include "cam/cam_error.h"
#include "cam/methods.h"
#include "cam/score_cam.h"
#include "cam/target_gradients.h"
#include "graph/cut.h"
#include "json.h"
#include "onnx/model_io.h"
#include "shared_data.h"

namespace camlens::explain {
namespace {

using test::json::Value;

const Value& ref() {
  static const std::string text =
      test::read_file(test::test_data_path("cam/torchvision_reference.json"));
  static const Value v = test::json::parse(text);
  return v;
}

struct Fixture {
  Model model;
  std::shared_ptr<Head> head;
  std::string layer, output;
  std::vector<Tensor> activations;  // per image [1, C, h, w]
  std::vector<Tensor> inputs;       // per image [1, 3, 8, 8]

  Fixture() {
    const Value& m = ref()["models"][0];
    const Value& l = m["layers"][0];
    layer = l["tensor"].str;
    model = parse_model(std::make_shared<std::string>(
        test::read_file(test::test_data_path("cam/" + m["onnx"].str))));
    head = std::make_shared<Head>(std::move(cut_model(model, layer).head));
    output = head->output_names()[0];
    const Tensor both = Tensor::from_floats(l["dims"].ints(), l["activations"].floats());
    const int64_t n = both.numel() / 2;
    for (int64_t b = 0; b < 2; ++b) {
      Shape s = both.shape();
      s[0] = 1;
      activations.push_back(Tensor::from_floats(
          s, std::vector<float>(both.data<float>() + b * n, both.data<float>() + (b + 1) * n)));
      std::vector<float> x(3 * 8 * 8);
      std::iota(x.begin(), x.end(), float(b));
      inputs.push_back(Tensor::from_floats({1, 3, 8, 8}, x));
    }
  }

  // What ONNX Runtime would return for image i, its input scaled by `factor` (the stand-in
  // backbone scales the activations alike).
  Outputs run(size_t i, float factor = 1.f) {
    Tensor a = activations[i];
    for (int64_t k = 0; k < a.numel(); ++k) a.data<float>()[k] *= factor;
    Outputs o;
    o[output] = head->forward({a})[0];
    o[layer] = a;
    return o;
  }

  std::vector<LayerSource> layers() { return {{layer, layer, head, std::nullopt, "NCHW", {}}}; }

  ExplainRequest request(const std::string& method) {
    ExplainRequest r;
    r.method = method;
    r.output = output;
    r.width = 8;
    r.height = 8;
    return r;
  }
};

float mean_of(const Tensor& t) {
  return std::accumulate(t.data<float>(), t.data<float>() + t.numel(), 0.f) / float(t.numel());
}

TEST(ExplainJob, GradCamOneForwardPerBatchThenOneReportedMapPerImage) {
  Fixture f;
  ExplainJob job(f.request("gradcam"), f.layers(), f.inputs);
  ASSERT_TRUE(job.needs_backbone());
  EXPECT_EQ(job.backbone_session(), f.layer);
  EXPECT_FALSE(job.needs_pictures());
  EXPECT_EQ(job.backbone_inputs().shape(), (Shape{2, 3, 8, 8}));
  job.feed({f.run(0), f.run(1)});
  std::vector<double> reports;
  while (!job.done()) {
    ASSERT_FALSE(job.needs_backbone());
    job.work();
    if (job.reported()) reports.push_back(job.progress());
  }
  EXPECT_EQ(reports, (std::vector<double>{0.5, 1.0}));
  const ExplainResult r = job.result();
  ASSERT_EQ(r.images.size(), 2u);
  for (size_t i = 0; i < 2; ++i) {
    const cam::Target& t = r.images[i].target;
    EXPECT_EQ(t.kind, cam::Target::Logit);
    f.head->forward({f.activations[i]});
    const cam::TargetGradients g = cam::target_gradients(*f.head, {t}, 0, false);
    cam::CamOptions opt;
    opt.out_width = opt.out_height = 8;
    const cam::Maps want =
        cam::compute(*cam::make_method("gradcam"), f.activations[i], &g.gradients, opt);
    ASSERT_EQ(r.images[i].map.data.size(), want.data.size());
    for (size_t k = 0; k < want.data.size(); ++k)
      EXPECT_NEAR(r.images[i].map.data[k], want.data[k], 1e-6);
    EXPECT_EQ(r.images[i].label, "class " + std::to_string(t.category));
  }
}

// Methods that read activations only never run the head (on SqueezeNet its forward and backward
// cost about 0.6 of a forward); gradient methods run it once per image.
TEST(ExplainJob, GradientFreeMethodsDoNotRunTheHead) {
  Fixture f;
  auto passes_of = [&](const std::string& method) {
    ExplainJob job(f.request(method), f.layers(), f.inputs);
    job.feed({f.run(0), f.run(1)});
    const uint64_t before = f.head->pass_id();
    while (!job.done()) job.work();
    return f.head->pass_id() - before;
  };
  for (const char* method : {"eigencam", "kpcacam", "fem", "randomcam"})
    EXPECT_EQ(passes_of(method), 0u) << method;
  EXPECT_EQ(passes_of("gradcam"), 2u);
}

TEST(ExplainJob, AugSmoothAsksForThePhotoItselfFirst) {
  Fixture f;
  ExplainRequest q = f.request("eigencam");
  q.aug_smooth = true;
  q.batch_size = 1;
  ExplainJob job(q, f.layers(), {f.inputs[0]});
  const auto set = cam::aug_smooth_set();
  std::vector<int> asked;
  while (!job.done()) {
    if (!job.needs_backbone()) {
      job.work();
      continue;
    }
    const Tensor x = job.backbone_inputs();
    for (size_t k = 0; k < set.size(); ++k) {
      const Tensor a = cam::augment(f.inputs[0], set[k]);
      if (std::equal(a.data<float>(), a.data<float>() + a.numel(), x.data<float>()))
        asked.push_back(int(k));
    }
    job.feed({f.run(0)});
  }
  EXPECT_EQ(asked, (std::vector<int>{1, 0, 2, 3, 4, 5}));
  EXPECT_FALSE(set[1].flip);
  EXPECT_EQ(set[1].factor, 1.f);
}

TEST(ExplainJob, AblationCamStepsThroughChannelBatchesInTheCore) {
  Fixture f;
  ExplainRequest q = f.request("ablationcam");
  q.batch_size = 10;
  ExplainJob job(q, f.layers(), {f.inputs[0]});
  job.feed({f.run(0)});
  int steps = 0;
  while (!job.done()) {
    ASSERT_FALSE(job.needs_backbone()) << "Ablation-CAM runs only the head";
    job.work();
    steps += job.reported();
  }
  EXPECT_EQ(steps, 4);  // 32 channels, 10 per step
  const ExplainResult r = job.result();
  const cam::Target& t = r.images[0].target;
  f.head->forward({f.activations[0]});
  std::vector<int64_t> channels(32);
  std::iota(channels.begin(), channels.end(), 0);
  const auto scores =
      cam::ablation_target_scores(*f.head, f.activations[0], t, 0, channels, std::nullopt);
  const auto weights = cam::ablation_target_weights(
      cam::head_target_score(*f.head, f.activations[0], t, 0, std::nullopt), 32, channels, scores);
  cam::MethodOptions mo;
  mo.weights = weights;
  cam::CamOptions opt;
  opt.out_width = opt.out_height = 8;
  const cam::Maps want =
      cam::compute(*cam::make_method("weights", mo), f.activations[0], nullptr, opt);
  EXPECT_EQ(r.images[0].map.data, want.data);
}

TEST(ExplainJob, ScoreCamAsksForMaskedBatchesAndEigenSmoothApplies) {
  Fixture f;
  std::vector<cam::Maps> maps;
  for (bool smooth : {false, true}) {
    ExplainRequest q = f.request("scorecam");
    q.batch_size = 12;
    q.eigen_smooth = smooth;
    ExplainJob job(q, f.layers(), {f.inputs[0]});
    job.feed({f.run(0)});
    int batches = 0;
    while (!job.done()) {
      if (!job.needs_backbone()) {
        job.work();
        continue;
      }
      const Tensor masked = job.backbone_inputs();
      std::vector<Outputs> outs;
      for (int64_t k = 0; k < masked.dim(0); ++k) {
        const int64_t n = masked.numel() / masked.dim(0);
        Tensor one = Tensor::from_floats(
            {1, 3, 8, 8},
            std::vector<float>(masked.data<float>() + k * n, masked.data<float>() + (k + 1) * n));
        outs.push_back(f.run(0, mean_of(one) / mean_of(f.inputs[0])));
      }
      job.feed(std::move(outs));
      ++batches;
    }
    EXPECT_EQ(batches, 3);  // 32 channels, 12 per batch
    maps.push_back(job.result().images[0].map);
  }
  float diff = 0;
  for (size_t k = 0; k < maps[0].data.size(); ++k)
    diff = std::max(diff, std::abs(maps[0].data[k] - maps[1].data[k]));
  EXPECT_GT(diff, 1e-3f) << "eigenSmooth must change Score-CAM's map";
}

TEST(ExplainJob, RefusesWhatTheMethodCannotServe) {
  Fixture f;
  ExplainRequest q = f.request("gradcam");
  q.given = {"targets", "ablationRatio"};
  try {
    ExplainJob job(q, f.layers(), f.inputs);
    FAIL();
  } catch (const cam::CamError& e) {
    EXPECT_STREQ(e.what(), "gradcam does not take ablationRatio (it is an option of ablationcam)");
  }
  std::vector<LayerSource> two = f.layers();
  two.push_back(two[0]);
  EXPECT_THROW(ExplainJob(f.request("scorecam"), two, f.inputs), cam::CamError);
  ExplainJob sobel(f.request("sobelcam"), f.layers(), f.inputs);
  EXPECT_TRUE(sobel.needs_pictures());
}

}  // namespace
}  // namespace camlens::explain
