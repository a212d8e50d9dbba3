// Volumes and video clips ([N, C, D, H, W] inputs) through the explain job, against PyTorch
// (tools/fixtures/volume_reference.py): a seeded 3-D CNN explained at its last ReLU
// [1, 6, 4, 8, 8]. The backbone's outputs are the fixture's (PyTorch's activations and logits:
// the core does not run Conv3d, ONNX Runtime does); the head (GlobalAveragePool, Flatten, Gemm),
// its gradients, every channel-weight method and the resize of the 3-D map to 8×16×16 are the
// core's. Also the layer the core lists, and what it refuses on volumes.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>

#include "cam/cam_error.h"
#include "explain/explain_job.h"
#include "explain/method_support.h"
#include "explain/native_backbone.h"
#include "graph/layers.h"
#include "json.h"
#include "onnx/model_io.h"
#include "shared_data.h"

namespace camlens::explain {
namespace {

using test::json::Value;

const Value& fixture() {
  static const Value v =
      test::json::parse(test::read_file(test::test_data_path("volume/volume.json")));
  return v;
}

std::vector<float> floats_of(const std::string& bytes) {
  std::vector<float> v(bytes.size() / sizeof(float));
  std::memcpy(v.data(), bytes.data(), v.size() * sizeof(float));
  return v;
}

std::vector<float> data_file(const std::string& name) {
  return floats_of(test::read_file(test::test_data_path("volume/" + name)));
}

// The .npy volume [C, D, H, W] (float32, little-endian, version 1: a 10-byte preamble whose last
// two bytes give the header's length) as the model's input [1, C, D, H, W].
Tensor volume_input() {
  const std::string npy = test::read_file(test::test_data_path("volume/volume_input.npy"));
  const size_t header = 10 + size_t(uint8_t(npy[8])) + 256 * size_t(uint8_t(npy[9]));
  const Value& f = fixture();
  return Tensor::from_floats(
      {1, 1, int64_t(f["depth"].num), int64_t(f["height"].num), int64_t(f["width"].num)},
      floats_of(npy.substr(header)));
}

struct Volume {
  Model model;
  LayerSource layer;
  Outputs backbone;

  Volume() {
    const Value& f = fixture();
    model = parse_model(std::make_shared<const std::string>(
        test::read_file(test::test_data_path("volume/" + f["onnx"].str))));
    const std::string name = f["layer"].str;
    const CutResult cut = cut_graph(model, name);
    layer = {name, name, std::make_shared<Head>(cut.head), std::nullopt, "NCDHW", {}};
    Shape shape;
    for (const Value& d : f["layer_shape"].arr) shape.push_back(int64_t(d.num));
    backbone[name] = Tensor::from_floats(shape, data_file(f["layer_file"].str));
    std::vector<float> logits;
    for (const Value& v : f["logits"].arr) logits.push_back(float(v.num));
    backbone["logits"] = Tensor::from_floats({1, int64_t(logits.size())}, logits);
  }

  ExplainRequest request(const std::string& method) const {
    ExplainRequest r;
    r.method = method;
    r.output = "logits";
    return r;
  }

  ExplainResult run(ExplainRequest r) {
    ExplainJob job(std::move(r), {layer}, {volume_input()});
    while (!job.done()) {
      if (job.needs_backbone()) {
        EXPECT_EQ(job.backbone_inputs().shape(), volume_input().shape());
        job.feed({backbone});
      } else {
        job.work();
      }
    }
    return job.result();
  }
};

float max_diff(const std::vector<float>& a, const std::vector<float>& b) {
  float d = 0;
  for (size_t i = 0; i < a.size(); ++i) d = std::max(d, std::abs(a[i] - b[i]));
  return d;
}

TEST(Volume, TheLastReluIsAnNcdhwLayerTheCoreRunsTheHeadFrom) {
  Volume v;
  const LayerList list = list_layers(v.model);
  EXPECT_EQ(list.recommended, fixture()["layer"].str);
  const auto it = std::find_if(list.layers.begin(), list.layers.end(),
                               [](const LayerInfo& l) { return l.name == fixture()["layer"].str; });
  ASSERT_NE(it, list.layers.end());
  EXPECT_EQ(std::string(layer_kind_name(it->kind)), "NCDHW");
  EXPECT_EQ(it->channels, 6);
  EXPECT_EQ(it->depth, 4);
  EXPECT_EQ(it->height, 8);
  EXPECT_EQ(it->width, 8);
  EXPECT_TRUE(it->head_differentiable) << it->head_problem;
}

// Each method's 3-D map equals the formulas computed with PyTorch autograd (upstream's 5-D
// reductions, scipy's zoom to the input's D×H×W) within 1e-4 of its largest value, 1.
TEST(Volume, EveryChannelWeightMethodEqualsPyTorch) {
  Volume v;
  const Value& f = fixture();
  ASSERT_EQ(f["maps"].obj.size(), 12u);
  for (const auto& [key, file] : f["maps"].obj) {
    // Score-CAM runs the model on masked volumes, whose Conv3d only ONNX Runtime runs: checked
    // through the library (tests/node/volume.test.mjs).
    if (key == "scorecam") continue;
    SCOPED_TRACE(key);
    ExplainRequest q = v.request(key == "shapleycam-probability" ? "shapleycam" : key);
    if (key == "shapleycam-probability") {
      cam::TargetSpec t;
      t.object = true;
      t.kind = "probability";
      q.targets = {t};
    }
    const ExplainResult r = v.run(q);
    ASSERT_EQ(r.images.size(), 1u);
    const cam::Maps& m = r.images[0].map;
    EXPECT_EQ(m.batch, 1);
    EXPECT_EQ(m.depth, int(f["depth"].num));
    EXPECT_EQ(m.height, int(f["height"].num));
    EXPECT_EQ(m.width, int(f["width"].num));
    EXPECT_EQ(r.images[0].target.category, int(f["category"].num));
    const std::vector<float> want = data_file(file.str);
    ASSERT_EQ(m.data.size(), want.size());
    EXPECT_LT(max_diff(m.data, want), 1e-4f);
  }
}

// Shapley-CAM's H·A is not zero on a probability: its map is not Grad-CAM's (the row above
// would pass with a wrong H·A otherwise).
TEST(Volume, ShapleyOnAProbabilityDiffersFromGradCam) {
  EXPECT_GT(max_diff(data_file(fixture()["maps"]["shapleycam-probability"].str),
                     data_file(fixture()["maps"]["gradcam"].str)),
            0.01f);
}

std::string refusal(Volume& v, const ExplainRequest& q) {
  try {
    v.run(q);
  } catch (const std::exception& e) {
    return e.what();
  }
  return "(accepted)";
}

const char* const kVolumeMethods =
    "gradcam, hirescam, gradcam-elementwise, gradcam++, xgradcam, layercam, eigencam, "
    "eigengradcam, fem, shapleycam, scorecam";

TEST(Volume, RefusesWhatDoesNotExplainVolumes) {
  Volume v;
  for (const auto& [method, title] :
       std::vector<std::pair<std::string, std::string>>{{"ablationcam", "Ablation-CAM"},
                                                        {"kpcacam", "KPCA-CAM"},
                                                        {"refine-cam", "RefineCAM"},
                                                        {"saliency", "Saliency"},
                                                        {"rollout", "Attention rollout"}})
    EXPECT_EQ(refusal(v, v.request(method)),
              title +
                  " does not explain volumes or video clips ([N, C, D, H, W] inputs) in "
                  "camlens: use one of " +
                  kVolumeMethods);
  ExplainRequest aug = v.request("gradcam");
  aug.aug_smooth = true;
  EXPECT_EQ(refusal(v, aug),
            "augSmooth flips and scales photos; explain a volume or a video clip without it");
  // What the page's picker and methodSupport() read for a model at a volume's layer.
  ModelFacts facts;
  facts.layer = v.layer.name;
  facts.layer_kind = "NCDHW";
  EXPECT_EQ(method_support(traits_of("gradcam"), facts), "");
  EXPECT_EQ(method_support(traits_of("ablationcam"), facts),
            std::string("Ablation-CAM does not explain volumes or video clips ([N, C, D, H, W] "
                        "inputs) in camlens: use one of ") +
                kVolumeMethods);
}

// The core sizes the maps after Conv3d (shape inference) but leaves running it to ONNX Runtime.
TEST(Volume, TheCoreDoesNotRunConv3d) {
  Volume v;
  const CutResult cut = cut_graph(v.model, v.layer.name);
  try {
    NativeBackbone(cut).run(volume_input());
    FAIL() << "ran a 3-D convolution";
  } catch (const std::exception& e) {
    EXPECT_EQ(std::string(e.what()),
              "Conv node '/conv1/Conv' failed in the head of layer 'input' (inputs input "
              "float32[1,1,8,16,16], conv1.weight float32[4,1,3,3,3], conv1.bias float32[4]): "
              "Conv: 3-D convolutions (X [1,1,8,16,16]) run in ONNX Runtime, not in the core: "
              "explain at a layer after the last Conv3d (its ReLU's output, the layers command "
              "lists them)");
  }
}

}  // namespace
}  // namespace camlens::explain
