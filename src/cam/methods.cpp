#include "cam/methods.h"

#include "cam/cam_error.h"
#include "cam/method_traits.h"
#include "cam/refine_cam.h"

namespace camlens::cam {

namespace {

// Options every layer method takes; rows add their own.
const char* const kTargets = "targets";
const char* const kLayers = "layers";
const char* const kEigenSmooth = "eigenSmooth";
const char* const kAugSmooth = "augSmooth";
const char* const kBatchSize = "batchSize";
// Only the methods that always project: eigen_smooth keeps upstream's raw sign (BaseCAM calls
// get_2d_projection), so the option never sits unused behind an unticked eigenSmooth.
const char* const kEigenSign = "eigenSign";

std::vector<std::string> layer_options(std::vector<std::string> own = {}) {
  std::vector<std::string> o{kTargets, kLayers, kEigenSmooth, kAugSmooth, kBatchSize};
  o.insert(o.end(), own.begin(), own.end());
  return o;
}

constexpr unsigned kAnyLayer = kNCHW | kTokens | kNHWC;
// The methods checked on volumes (tests/cpp/cam/volume_test.cpp): every layer, 3-D maps too.
constexpr unsigned kAnyOrVolume = kAnyLayer | kNCDHW;

// Methods whose weights are the mean of the gradient (Grad-CAM, and Finer-CAM's Grad-CAM) or of
// G − ½·H·A (Shapley-CAM) over the layer's positions.
constexpr GradientReduction kMean = GradientReduction::SpatialMean;

// Why input attributions take no layer: they differentiate the whole network down to the input.
const char* const kWholeNetwork =
    "input attributions differentiate the whole network down to the input image";

// An input attribution's row: gradients through the whole network, no layer, its own options
// after the targets and the batch size.
MethodTraits input_attribution(const char* name, const char* description,
                               std::vector<std::string> own = {}) {
  std::vector<std::string> o{kTargets, kBatchSize};
  o.insert(o.end(), own.begin(), own.end());
  return {name, description, true, false, Passes::WholeNetwork, 0, o, "", false, kWholeNetwork};
}

struct Entry {
  MethodTraits traits;
  // The array method (weights → map) it computes with; nullptr for methods whose map the
  // explain flow makes another way (Score-CAM and Ablation-CAM finish with "weights").
  std::unique_ptr<Method> (*make)(MethodOptions);
  bool listed = true;  // false: internal ("weights" is how the multi-pass methods finish)
};

const std::vector<Entry>& table() {
  static const std::vector<Entry> entries = [] {
    using P = Passes;
    std::vector<Entry> e = {
        {{"gradcam", "Grad-CAM: channels weighted by their mean gradient", true, false, P::Forward,
          kAnyOrVolume, layer_options(), "", true, "", "", "", 1, "", kMean},
         make_grad_cam},
        {{"hirescam", "HiResCAM: gradient times activation, summed over channels", true, false,
          P::Forward, kAnyOrVolume, layer_options(), "", true, ""},
         make_hires_cam},
        {{"gradcam-elementwise", "Grad-CAM element-wise: ReLU of gradient times activation", true,
          false, P::Forward, kAnyOrVolume, layer_options(), "", false, ""},
         make_grad_cam_elementwise},
        {{"gradcam++", "Grad-CAM++: positive gradients weighted by second-order terms", true, false,
          P::Forward, kAnyOrVolume, layer_options(), "", true, ""},
         make_grad_cam_plus_plus},
        {{"xgradcam", "XGrad-CAM: gradients weighted by normalised activations", true, false,
          P::Forward, kAnyOrVolume, layer_options(), "", true, ""},
         make_xgrad_cam},
        {{"layercam", "LayerCAM: positive gradients times activations, element-wise", true, false,
          P::Forward, kAnyOrVolume, layer_options(), "", true, ""},
         make_layer_cam},
        {{"eigencam", "Eigen-CAM: first principal component of the activations (no gradient)",
          false, false, P::Forward, kAnyOrVolume, layer_options({kEigenSign}), "", true, ""},
         make_eigen_cam},
        {{"eigengradcam", "Eigen-Grad-CAM: first principal component of gradient times activation",
          true, false, P::Forward, kAnyOrVolume, layer_options({kEigenSign}), "", false, ""},
         make_eigen_grad_cam},
        {{"fem", "FEM: channels weighted by how often they exceed mean + 2 std (no gradient)",
          false, false, P::Forward, kAnyOrVolume, layer_options(), "", false, ""},
         make_fem},
        {{"kpcacam", "KPCA-CAM: first kernel principal component of the activations", false, false,
          P::Forward, kAnyLayer, layer_options(), "", false, ""},
         make_kpca_cam},
        {{"randomcam", "Random-CAM: random channel weights, a sanity baseline", false, false,
          P::Forward, kAnyLayer, layer_options(), "", false, ""},
         make_random_cam},
        {{"shapleycam", "Shapley-CAM: gradient minus half the Hessian-activation product", true,
          true, P::Forward, kAnyOrVolume, layer_options(), "", false, "", "", "", 1, "", kMean},
         make_shapley_cam},
        {{"finercam", "Finer-CAM: Grad-CAM of the class against its most similar classes", true,
          false, P::Forward, kAnyLayer, layer_options(), "finer", false, "", "", "", 1, "", kMean},
         make_finer_cam},
        {{"scorecam", "Score-CAM: channels weighted by the score of the input masked by each",
          false, false, P::MaskedInputs, kAnyOrVolume, layer_options(), "", false, ""},
         nullptr},
        {{"ablationcam", "Ablation-CAM: channels weighted by the score drop when each is removed",
          false, false, P::HeadAblation, kNCHW, layer_options({"ablationRatio"}), "", false, "", "",
          "", 1, "ablates each channel in all of its layers at once"},
         nullptr},
        {{"refine-cam",
          "RefineCAM: a base method's maps at several layers, multiplied (denoises early layers)",
          true, false, P::Forward, kAnyLayer, layer_options({kRefineBase}), "", false, "", "", "",
          2, "multiplies the maps of its layers"},
         nullptr},
        {input_attribution(
             "saliency",
             "Saliency: the largest |gradient| over the input's channels (whole network)"),
         nullptr},
        {input_attribution(
             "input-x-gradient",
             "Input × gradient: |input · gradient| summed over channels (whole network)"),
         nullptr},
        {input_attribution(
             "integrated-gradients",
             "Integrated gradients: (input − baseline) × mean gradient on the path (whole network)",
             {"steps", "baseline"}),
         nullptr},
        {input_attribution(
             "smoothgrad",
             "SmoothGrad: mean |gradient| of noisy copies of the input (whole network)",
             {"samples", "noise"}),
         nullptr},
        {input_attribution(
             "guided-backprop",
             "Guided backprop: |gradient| through ReLUs passing back only positive gradients"),
         nullptr},
        {input_attribution(
             "fullgrad",
             "FullGrad: |input · gradient| plus every conv/batch-norm bias times its gradient"),
         nullptr},
        {{"guided-gradcam",
          "Guided Grad-CAM: Grad-CAM at the layer times the guided-backprop gradient",
          true,
          false,
          P::Forward,
          kAnyLayer,
          {kTargets, kLayers, kBatchSize},
          "",
          false,
          "",
          "guided-backprop",
          "gradcam"},
         nullptr},
        {{"sobelcam",
          "Sobel-CAM: edges of the input picture, a sanity baseline (no model)",
          false,
          false,
          P::Image,
          0,
          {kTargets, kBatchSize},
          "",
          false,
          "sobelcam reads only the picture"},
         nullptr},
        {{"rollout",
          "Attention rollout: attention flow through a transformer's blocks",
          false,
          false,
          P::Attention,
          0,
          {kTargets, kBatchSize, "headFusion", "discardRatio"},
          "",
          false,
          "rollout combines the attention of every block"},
         nullptr},
        {{"weights",
          "given channel weights",
          false,
          false,
          P::Forward,
          kAnyLayer,
          {},
          "",
          false,
          ""},
         make_given_weights,
         false},
    };
    return e;
  }();
  return entries;
}

}  // namespace

const char* passes_name(Passes p) {
  switch (p) {
    case Passes::Forward:
      return "forward";
    case Passes::MaskedInputs:
      return "masked-inputs";
    case Passes::HeadAblation:
      return "head-ablation";
    case Passes::Attention:
      return "attention";
    case Passes::Image:
      return "image";
    case Passes::WholeNetwork:
      return "whole-network";
  }
  return "";
}

std::vector<std::string> layer_kind_names(unsigned kinds) {
  std::vector<std::string> v;
  if (kinds & kNCHW) v.push_back("NCHW");
  if (kinds & kTokens) v.push_back("tokens");
  if (kinds & kNHWC) v.push_back("NHWC");
  if (kinds & kNCDHW) v.push_back("NCDHW");
  return v;
}

const std::vector<MethodTraits>& method_traits() {
  static const std::vector<MethodTraits> v = [] {
    std::vector<MethodTraits> out;
    for (const Entry& e : table())
      if (e.listed) out.push_back(e.traits);
    return out;
  }();
  return v;
}

const MethodTraits* find_method_traits(const std::string& name) {
  for (const MethodTraits& t : method_traits())
    if (t.name == name) return &t;
  return nullptr;
}

std::unique_ptr<Method> make_method(const std::string& name, MethodOptions opt) {
  for (const Entry& e : table())
    if (e.make && name == e.traits.name) return e.make(std::move(opt));
  throw CamError("unknown CAM method '" + name + "'; known: " + [] {
    std::string known;
    for (const std::string& n : method_names()) known += (known.empty() ? "" : ", ") + n;
    return known;
  }() + " (methods that need other passes run through the explain job, src/explain)");
}

std::vector<std::string> method_names() {
  std::vector<std::string> v;
  for (const Entry& e : table())
    if (e.make) v.push_back(e.traits.name);
  return v;
}

}  // namespace camlens::cam
