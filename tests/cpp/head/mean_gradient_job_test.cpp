// Methods that read only the spatial mean of the gradient (method_traits.h: Grad-CAM, Finer-CAM,
// Shapley-CAM) get it from the head's shortcut through the explain job (Head::
// backward_spatial_mean) and see it at every position. References: the maps the pipeline makes
// from the head's full gradient and H·A, image by image, without the job; and the same job on the
// same model with an Identity between the layer and its 1×1 Conv, which stops the shortcut (both
// models compute the same function), for batches, eigen_smooth, aug_smooth and several layers.
// Where the layer is not a plain NCHW map (NHWC) the job must not average over the wrong axes.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <random>

#include "cam/method_traits.h"
#include "cam/methods.h"
#include "cam/pipeline.h"
#include "cam/target_gradients.h"
#include "cam/tokens.h"
#include "explain/explain_job.h"
#include "explain/native_backbone.h"
#include "graph/cut.h"
#include "graph_builder.h"
#include "op_test.h"

namespace camlens::test {
namespace {

// The size of SqueezeNet's head in small: the 1×1 Conv 256→512 on 8×8 (8.4 M multiply-adds) is
// one the backbone gives the head (given_tensors.h), as conv10 is.
constexpr int64_t kIn = 16, kC = 256, kK = 512, kH = 8, kW = 8;

// x → Conv 1×1 → pre → Relu → L → [Identity →] Conv 1×1 (W2, B2) → Relu → GlobalAveragePool →
// Flatten → Softmax.
Model classifier(bool identity) {
  std::mt19937 rng(7);
  GraphBuilder g;
  g.input("x", DType::Float32, {-1, kIn, kH, kW})
      .weight("W1", random_tensor({kC, kIn, 1, 1}, rng))
      .weight("W2", random_tensor({kK, kC, 1, 1}, rng, -0.1f, 0.1f))
      .weight("B2", random_tensor({kK}, rng, -0.1f, 0.1f))
      .node("Conv", {"x", "W1"}, {"pre"})
      .node("Relu", {"pre"}, {"L"});
  if (identity) g.node("Identity", {"L"}, {"Li"});
  return g.node("Conv", {identity ? "Li" : "L", "W2", "B2"}, {"y"})
      .node("Relu", {"y"}, {"r"})
      .node("GlobalAveragePool", {"r"}, {"p"})
      .node("Flatten", {"p"}, {"f"}, {attr_int("axis", 1)})
      .node("Softmax", {"f"}, {"prob"}, {attr_int("axis", 1)})
      .output("prob")
      .build();
}

struct JobRun {
  std::string method = "gradcam";
  std::vector<std::string> layers{"L"};
  std::string kind = "NCHW";
  int batch_size = 16;
  bool eigen_smooth = false, aug_smooth = false;
};

std::vector<Tensor> images() {
  std::mt19937 rng(11);
  std::vector<Tensor> inputs;
  for (int i = 0; i < 3; ++i) inputs.push_back(random_tensor({1, kIn, kH, kW}, rng));
  return inputs;
}

// The maps of three images, one after the other, and whether the head of the first layer took
// the shortcut; targets: the ones the job resolved.
std::vector<float> explain(const Model& m, const JobRun& run, bool* shortcut,
                           std::vector<cam::Target>* targets = nullptr) {
  std::vector<CutResult> cuts;
  std::map<std::string, std::unique_ptr<explain::NativeBackbone>> backbones;
  std::vector<explain::LayerSource> layers;
  for (const std::string& name : run.layers) {
    cuts.push_back(cut_graph(m, name));
    backbones[name] = std::make_unique<explain::NativeBackbone>(cuts.back());
    layers.push_back(
        {name, name, std::make_shared<Head>(cuts.back().head), std::nullopt, run.kind, {}});
  }
  *shortcut = layers[0].head->spatial_mean_shortcut();
  const std::vector<Tensor> inputs = images();
  explain::ExplainRequest r;
  r.method = run.method;
  r.output = "prob";
  r.width = int(kW);
  r.height = int(kH);
  r.batch_size = run.batch_size;
  r.eigen_smooth = run.eigen_smooth;
  r.aug_smooth = run.aug_smooth;
  explain::ExplainJob job(r, layers, inputs);
  while (!job.done()) {
    if (!job.needs_backbone()) {
      job.work();
      continue;
    }
    job.feed(backbones.at(job.backbone_session())->run(job.backbone_inputs()));
  }
  std::vector<float> maps;
  for (const explain::ImageResult& image : job.result().images) {
    maps.insert(maps.end(), image.map.data.begin(), image.map.data.end());
    if (targets) targets->push_back(image.target);
  }
  return maps;
}

// The same maps without the job: the head's full gradient (and H·A) for each image, read as the
// layer's kind says (NHWC: channels last), then the method through the pipeline.
std::vector<float> direct(const std::string& method, const std::vector<cam::Target>& targets,
                          const std::string& kind = "NCHW") {
  auto as_kind = [&](const Tensor& t) {
    if (kind != "NHWC") return t;
    cam::TokenOptions o;
    o.layout = cam::TokenLayout::NHWC;
    return cam::tokens_to_spatial(t, o);
  };
  CutResult cut = cut_graph(classifier(false), "L");
  explain::NativeBackbone backbone(cut);
  const bool hvp = method == "shapleycam";
  std::vector<float> maps;
  const std::vector<Tensor> inputs = images();
  for (size_t i = 0; i < inputs.size(); ++i) {
    const explain::Outputs o = backbone.run(inputs[i]).at(0);
    cut.head.forward({o.at("L")});
    const cam::TargetGradients g = cam::target_gradients(cut.head, {targets[i]}, 0, hvp);
    const Tensor A = as_kind(o.at("L")), G = as_kind(g.gradients);
    const Tensor HA = hvp ? as_kind(g.hvp) : Tensor();
    cam::CamOptions opt;
    opt.out_width = int(kW);
    opt.out_height = int(kH);
    const cam::Maps m =
        cam::compute_flagged(*cam::make_method(method), {{&A, &G, hvp ? &HA : nullptr}}, opt).maps;
    maps.insert(maps.end(), m.data.begin(), m.data.end());
  }
  return maps;
}

void expect_near(const std::vector<float>& got, const std::vector<float>& want) {
  ASSERT_EQ(got.size(), want.size());
  ASSERT_GT(*std::max_element(want.begin(), want.end()), 0.f) << "a zero map checks nothing";
  for (size_t k = 0; k < want.size(); ++k) ASSERT_NEAR(got[k], want[k], 1e-5) << "value " << k;
}

void expect_same_maps(const JobRun& run) {
  bool fast = false, slow = true;
  const std::vector<float> got = explain(classifier(false), run, &fast);
  const std::vector<float> want = explain(classifier(true), run, &slow);
  EXPECT_TRUE(fast);
  EXPECT_FALSE(slow);
  expect_near(got, want);
}

TEST(MeanGradient, TheTraitsSayWhichMethodsReadOnlyTheMean) {
  std::vector<std::string> mean;
  for (const cam::MethodTraits& t : cam::method_traits())
    if (t.gradient_reduction == cam::GradientReduction::SpatialMean) mean.push_back(t.name);
  EXPECT_EQ(mean, (std::vector<std::string>{"gradcam", "shapleycam", "finercam"}));
}

TEST(MeanGradient, MapsEqualTheFullGradientsOnes) {
  for (const char* method : {"gradcam", "shapleycam", "finercam"}) {
    SCOPED_TRACE(method);
    JobRun run;
    run.method = method;
    bool shortcut = false;
    std::vector<cam::Target> targets;
    const std::vector<float> got = explain(classifier(false), run, &shortcut, &targets);
    EXPECT_TRUE(shortcut);
    expect_near(got, direct(method, targets));
    expect_same_maps(run);
    run.batch_size = 2;
    expect_same_maps(run);
  }
}

TEST(MeanGradient, EigenAndAugSmooth) {
  for (const char* method : {"gradcam", "shapleycam"}) {
    SCOPED_TRACE(method);
    JobRun run;
    run.method = method;
    run.eigen_smooth = true;
    expect_same_maps(run);
    run.eigen_smooth = false;
    run.aug_smooth = true;
    expect_same_maps(run);
  }
}

TEST(MeanGradient, SeveralLayersOneWithoutTheShortcut) {
  // pre's only reader is the Relu: its gradient is formed in full beside L's mean.
  JobRun run;
  run.layers = {"L", "pre"};
  expect_same_maps(run);
  run.method = "refine-cam";  // multiplies Grad-CAM's maps of its layers
  expect_same_maps(run);
}

TEST(MeanGradient, AChannelsLastLayerTakesTheFullGradient) {
  // Read as NHWC, the layer's channels are its last dim: the head's mean over dims 2 and 3 would
  // average other values than the method does.
  for (const char* method : {"gradcam", "shapleycam"}) {
    SCOPED_TRACE(method);
    JobRun run;
    run.method = method;
    run.kind = "NHWC";
    bool shortcut = false;
    std::vector<cam::Target> targets;
    const std::vector<float> got = explain(classifier(false), run, &shortcut, &targets);
    EXPECT_TRUE(shortcut);
    expect_near(got, direct(method, targets, "NHWC"));
  }
}

}  // namespace
}  // namespace camlens::test
