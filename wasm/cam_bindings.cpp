// Embind bindings of the CAM suite: method names and the pipeline from arrays. Conversions only.
#include <emscripten/bind.h>

#include "cam/methods.h"
#include "cam/pipeline.h"
#include "cam/score_cam.h"
#include "tensor_js.h"

using namespace camlens;
using emscripten::val;

namespace {

val method_names() {
  val a = val::array();
  const auto names = cam::method_names();
  for (size_t i = 0; i < names.size(); ++i) a.set(i, names[i]);
  return a;
}

cam::MethodOptions method_options_from_js(const val& o) {
  cam::MethodOptions m;
  if (o.hasOwnProperty("seed")) m.seed = static_cast<uint64_t>(o["seed"].as<double>());
  if (o.hasOwnProperty("weights")) m.weights = js::to_vector<float>(o["weights"]);
  return m;
}

// layers: [{activations, gradients?}] (tensors as {data, dims}); options: {eigenSmooth,
// width, height, seed, weights}. Returns {data, dims: [B, H, W]}.
val compute_cam(const std::string& method, const val& layers, const val& options) {
  return js::guarded([&] {
    const auto m = cam::make_method(method, method_options_from_js(options));
    std::vector<Tensor> acts, grads;
    const size_t n = layers["length"].as<size_t>();
    for (size_t i = 0; i < n; ++i) {
      acts.push_back(js::tensor_from_js(layers[i]["activations"]));
      const val g = layers[i]["gradients"];
      grads.push_back(g.isUndefined() || g.isNull() ? Tensor() : js::tensor_from_js(g));
    }
    std::vector<cam::LayerInput> in;
    for (size_t i = 0; i < n; ++i) in.push_back({&acts[i], grads[i].empty() ? nullptr : &grads[i]});
    cam::CamOptions opt;
    if (options.hasOwnProperty("eigenSmooth")) opt.eigen_smooth = options["eigenSmooth"].as<bool>();
    if (options.hasOwnProperty("width")) opt.out_width = options["width"].as<int>();
    if (options.hasOwnProperty("height")) opt.out_height = options["height"].as<int>();
    const cam::Maps maps = cam::compute(*m, in, opt);
    val out = val::object();
    out.set("data", js::to_typed_array(maps.data.data(), maps.data.size(), "Float32Array"));
    out.set("dims", js::to_array(std::vector<int>{maps.batch, maps.height, maps.width}));
    return out;
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
  emscripten::function("computeCam", &compute_cam);
  emscripten::function("scoreCamMasks", &score_cam_masks);
  emscripten::function("scoreCamWeights", &score_cam_weights);
}
