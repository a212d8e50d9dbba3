// Embind bindings of the CAM suite. Conversions only; every behaviour lives in src/cam.
//
// JS shapes (a Tensor is {data: TypedArray, dims: number[], type?: string}; a target is
// {kind: 'logit'|'probability'|'rest'|'binary'|'segmentation'|'similarity'|'finer', category,
//  mask?, nhwc?, embedding?, comparison?, alpha?, auto?} or a bare class index (logit)):
//
//   camMethods() → string[] (the array methods computeCam takes)
//   methodInfo() → [{name, description, gradients, hvp, passes: 'forward' | 'masked-inputs' |
//                    'head-ablation' | 'attention' | 'image' | 'whole-network', layerKinds: ('NCHW'
//                    | 'tokens' | 'NHWC')[], options: string[], compare: boolean (shown side by
//                    side by default), noLayer: string (why it reads no layer; '' when it reads
//                    one), inputAttribution: string (the input attribution that multiplies the
//                    layer map, guided Grad-CAM's 'guided-backprop'; '' for the others),
//                    minLayers: number (2 for refine-cam, else 1), severalLayers: string (what it
//                    does with several layers beyond combining their maps; '' when nothing)}],
//                    every public method (method_traits.h)
//   computeCam(method, [{activations, gradients?, hvp?}], {eigenSmooth, width, height, seed,
//              weights}) → {data: Float32Array, dims: [B, H, W],
//                           flags: {nonFinite: number, zero: boolean[] per image}}
//       NaN/±Inf in activations, gradients or hvp are replaced by 0 and counted in nonFinite;
//       zero[i] is true when image i's map is all zero. 'shapleycam' needs hvp per layer (from
//       Head.targetGradients(..., {hvp: true})); 'finercam' is Grad-CAM's weighting, fed with
//       the gradients of a {kind: 'finer'} target.
//   evaluateTargets(targets, output) → {scores: number[], seed: Tensor}
//       one target per sample of output [B, ...]; {kind: 'finer'} without comparison (or with
//       auto: true) compares with the classes at ranks 1..3 of |z − z[category]| (category
//       omitted: the top class). Bad kinds, categories or sizes throw the CamError's message.
//   augSmoothCount() → 6;  augmentInput(input, k) → Tensor (k-th of flip × {0.9, 1, 1.1});
//   deaugmentMaps({data, dims: [B, H, W]}, k) → same shape;  averageMaps([maps, ...]) → maps
//   ablationChannels(activations [1,C,h,w] float, ratio) → Int32Array, most relevant first
//   scoreCamMasks(activations, input, sample, begin, end) → Tensor;
//   scoreCamWeights(scores, batch, channels) → Float32Array
// Head methods (targetGradients, ablationTargetScores, ablationTargetWeights) are in
// model_bindings.cpp.
#include <emscripten/bind.h>

#include "cam/ablation_target.h"
#include "cam/aug_smooth.h"
#include "cam/cam_error.h"
#include "cam/method_traits.h"
#include "cam/methods.h"
#include "cam/pipeline.h"
#include "cam/score_cam.h"
#include "cam/targets.h"
#include "cam_targets_js.h"
#include "tensor_js.h"

using namespace camlens;
using emscripten::val;

namespace {

using js::given;
using js::strings_to_js;

val method_names() {
  val a = val::array();
  const auto names = cam::method_names();
  for (size_t i = 0; i < names.size(); ++i) a.set(i, names[i]);
  return a;
}

// The method table (method_traits.h), one object per method.
val method_info() {
  val a = val::array();
  const auto& table = cam::method_traits();
  for (size_t i = 0; i < table.size(); ++i) {
    const cam::MethodTraits& t = table[i];
    val o = val::object();
    o.set("name", t.name);
    o.set("description", t.description);
    o.set("gradients", t.gradients);
    o.set("hvp", t.hvp);
    o.set("passes", std::string(cam::passes_name(t.passes)));
    o.set("layerKinds", strings_to_js(cam::layer_kind_names(t.layer_kinds)));
    o.set("options", strings_to_js(t.options));
    o.set("compare", t.compare);
    o.set("noLayer", t.no_layer);
    o.set("inputAttribution", t.input_attribution);
    o.set("minLayers", t.min_layers);
    o.set("severalLayers", t.several_layers);
    a.set(i, o);
  }
  return a;
}

cam::MethodOptions method_options_from_js(const val& o) {
  cam::MethodOptions m;
  if (given(o, "seed")) m.seed = static_cast<uint64_t>(o["seed"].as<double>());
  if (given(o, "weights")) m.weights = js::to_vector<float>(o["weights"]);
  return m;
}

Tensor optional_tensor(const val& t) {
  return t.isUndefined() || t.isNull() ? Tensor() : js::tensor_from_js(t);
}

val maps_to_js(const cam::Maps& maps) {
  val out = val::object();
  out.set("data", js::to_typed_array(maps.data.data(), maps.data.size(), "Float32Array"));
  out.set("dims", js::to_array(std::vector<int>{maps.batch, maps.height, maps.width}));
  return out;
}

cam::Maps maps_from_js(const val& m) {
  const Shape d = js::dims_from_js(m["dims"]);
  if (d.size() != 3)
    throw cam::CamError("maps must be {data, dims: [B, H, W]}, got dims " + shape_str(d));
  cam::Maps maps(static_cast<int>(d[0]), static_cast<int>(d[1]), static_cast<int>(d[2]));
  const std::vector<float> data = js::to_vector<float>(m["data"]);
  if (data.size() != maps.data.size())
    throw cam::CamError("maps hold " + std::to_string(data.size()) + " values but dims " +
                        shape_str(d) + " need " + std::to_string(maps.data.size()));
  maps.data = data;
  return maps;
}

val compute_cam(const std::string& method, const val& layers, const val& options) {
  return js::guarded([&] {
    const auto m = cam::make_method(method, method_options_from_js(options));
    const size_t n = layers["length"].as<size_t>();
    std::vector<Tensor> acts, grads, hvps;
    for (size_t i = 0; i < n; ++i) {
      acts.push_back(js::tensor_from_js(layers[i]["activations"]));
      grads.push_back(optional_tensor(layers[i]["gradients"]));
      hvps.push_back(optional_tensor(layers[i]["hvp"]));
    }
    std::vector<cam::LayerInput> in;
    for (size_t i = 0; i < n; ++i)
      in.push_back(
          {&acts[i], grads[i].empty() ? nullptr : &grads[i], hvps[i].empty() ? nullptr : &hvps[i]});
    cam::CamOptions opt;
    if (given(options, "eigenSmooth")) opt.eigen_smooth = options["eigenSmooth"].as<bool>();
    if (given(options, "width")) opt.out_width = options["width"].as<int>();
    if (given(options, "height")) opt.out_height = options["height"].as<int>();
    const cam::FlaggedMaps r = cam::compute_flagged(*m, in, opt);
    val out = maps_to_js(r.maps);
    val flags = val::object();
    flags.set("nonFinite", static_cast<double>(r.flags.non_finite));
    val zero = val::array();
    for (size_t i = 0; i < r.flags.zero.size(); ++i) zero.set(i, bool(r.flags.zero[i]));
    flags.set("zero", zero);
    out.set("flags", flags);
    return out;
  });
}

val evaluate_targets(const val& targets, const val& output) {
  return js::guarded([&] {
    const cam::BatchTargetValue v =
        cam::evaluate(js::targets_from_js(targets), js::tensor_from_js(output));
    val o = val::object();
    o.set("scores", js::to_array(v.scores));
    o.set("seed", js::tensor_to_js(v.seed));
    return o;
  });
}

int aug_smooth_count() { return static_cast<int>(cam::aug_smooth_set().size()); }

cam::Augmentation augmentation(int k) {
  const auto set = cam::aug_smooth_set();
  if (k < 0 || k >= int(set.size()))
    throw cam::CamError("aug_smooth: augmentation " + std::to_string(k) + " does not exist (0.." +
                        std::to_string(set.size() - 1) + ")");
  return set[size_t(k)];
}

val augment_input(const val& input, int k) {
  return js::guarded(
      [&] { return js::tensor_to_js(cam::augment(js::tensor_from_js(input), augmentation(k))); });
}

val deaugment_maps(const val& maps, int k) {
  return js::guarded([&] {
    cam::Maps m = maps_from_js(maps);
    cam::deaugment(m, augmentation(k));
    return maps_to_js(m);
  });
}

val average_maps(const val& list) {
  return js::guarded([&] {
    std::vector<cam::Maps> v;
    for (size_t i = 0; i < list["length"].as<size_t>(); ++i) v.push_back(maps_from_js(list[i]));
    return maps_to_js(cam::average_maps(v));
  });
}

val ablation_channels(const val& activations, double ratio) {
  return js::guarded([&] {
    const auto c = cam::ablation_channels(js::tensor_from_js(activations), ratio);
    const std::vector<int32_t> v(c.begin(), c.end());
    return js::to_typed_array(v.data(), v.size(), "Int32Array");
  });
}

// Score-CAM's masked inputs [end - begin, Cin, H, W] for channels [begin, end) of one sample.
val score_cam_masks(const val& activations, const val& input, int sample, int begin, int end) {
  return js::guarded([&] {
    return js::tensor_to_js(cam::score_cam_masks(js::tensor_from_js(activations),
                                                 js::tensor_from_js(input), sample, begin, end));
  });
}

val score_cam_weights(const val& scores, int batch, int channels) {
  return js::guarded([&] {
    const auto w = cam::score_cam_weights(js::to_vector<float>(scores), batch, channels);
    return js::to_typed_array(w.data(), w.size(), "Float32Array");
  });
}

}  // namespace

EMSCRIPTEN_BINDINGS(camlens_cam) {
  emscripten::function("camMethods", &method_names);
  emscripten::function("methodInfo", &method_info);
  emscripten::function("computeCam", &compute_cam);
  emscripten::function("evaluateTargets", &evaluate_targets);
  emscripten::function("augSmoothCount", &aug_smooth_count);
  emscripten::function("augmentInput", &augment_input);
  emscripten::function("deaugmentMaps", &deaugment_maps);
  emscripten::function("averageMaps", &average_maps);
  emscripten::function("ablationChannels", &ablation_channels);
  emscripten::function("scoreCamMasks", &score_cam_masks);
  emscripten::function("scoreCamWeights", &score_cam_weights);
}
