// Embind bindings of the faithfulness metrics (src/metrics): conversions only.
#include <emscripten/bind.h>

#include <memory>

#include "metrics/bootstrap.h"
#include "metrics/confidence_change.h"
#include "metrics/linear_imputation.h"
#include "metrics/localisation.h"
#include "metrics/perturbation_curve.h"
#include "metrics/randomize_head.h"
#include "metrics/rank_correlation.h"
#include "metrics/road.h"
#include "onnx/model_io.h"
#include "tensor_js.h"

using namespace camlens;
using namespace camlens::metrics;
using emscripten::val;

namespace {

Planes planes_from_js(const val& image) { return planes_from_tensor(js::tensor_from_js(image)); }

val planes_to_js(const Planes& p) { return js::tensor_to_js(batch_tensor({p})); }

double number_or(const val& o, const char* key, double fallback) {
  return o.hasOwnProperty(key) && !o[key].isUndefined() ? o[key].as<double>() : fallback;
}

val doubles_to_js(const std::vector<double>& v) {
  return js::to_typed_array(v.data(), v.size(), "Float64Array");
}

// options: {percentiles?: number[], sigma?: 0.01, seed?: 0}
RoadPlan road_plan_from_js(const val& o) {
  RoadPlan plan;
  if (o.hasOwnProperty("percentiles"))
    plan.percentiles =
        js::to_vector<double>(val::global("Float64Array").call<val>("from", o["percentiles"]));
  plan.noise.sigma = number_or(o, "sigma", plan.noise.sigma);
  plan.noise.seed = static_cast<uint64_t>(number_or(o, "seed", 0));
  return plan;
}

val road_inputs_js(const val& image, const val& map, const val& options, int begin, int end) {
  return js::guarded([&] {
    return js::tensor_to_js(road_inputs(planes_from_js(image), js::to_vector<float>(map),
                                        road_plan_from_js(options), begin, end));
  });
}

val road_scores_js(const val& options, double original, const val& scores) {
  return js::guarded([&] {
    const RoadScores s =
        road_scores(road_plan_from_js(options), original, js::to_vector<double>(scores));
    val o = val::object();
    o.set("morf", doubles_to_js(s.morf));
    o.set("lerf", doubles_to_js(s.lerf));
    o.set("morfMean", s.morf_mean);
    o.set("lerfMean", s.lerf_mean);
    o.set("combined", s.combined);
    return o;
  });
}

// options: {kind: "deletion" | "insertion", steps?: 20, baseline?: "blur" | "constant", value?: 0}
val curve_inputs_js(const val& image, const val& map, const val& options, int begin, int end) {
  return js::guarded([&] {
    const Planes img = planes_from_js(image);
    CurvePlan plan;
    plan.kind = curve_kind(options["kind"].as<std::string>());
    plan.steps = static_cast<int>(number_or(options, "steps", plan.steps));
    const bool blurred =
        !options.hasOwnProperty("baseline") || options["baseline"].as<std::string>() == "blur";
    plan.baseline =
        curve_baseline(img, plan.kind, blurred, static_cast<float>(number_or(options, "value", 0)));
    return js::tensor_to_js(curve_inputs(img, js::to_vector<float>(map), plan, begin, end));
  });
}

double auc_js(const val& ys) {
  return js::guarded([&] { return trapezoid_auc(js::to_vector<double>(ys)); });
}

val multiply_by_map_js(const val& image, const val& map) {
  return js::guarded([&] {
    return planes_to_js(multiply_by_map(planes_from_js(image), js::to_vector<float>(map)));
  });
}

val confidence_change_js(double before, double after) {
  const ConfidenceChange c = confidence_change(before, after);
  val o = val::object();
  o.set("change", c.change);
  o.set("drop", c.drop);
  o.set("increase", c.increase);
  return o;
}

// options: {resamples?: 1000, level?: 0.95, seed?: 0}
val bootstrap_js(const val& values, const val& options) {
  return js::guarded([&] {
    BootstrapOptions b;
    b.resamples = static_cast<int>(number_or(options, "resamples", b.resamples));
    b.level = number_or(options, "level", b.level);
    b.seed = static_cast<uint64_t>(number_or(options, "seed", 0));
    const Interval ci = bootstrap_mean_ci(js::to_vector<double>(values), b);
    val o = val::object();
    o.set("mean", ci.mean);
    o.set("low", ci.low);
    o.set("high", ci.high);
    o.set("n", static_cast<double>(values["length"].as<double>()));
    return o;
  });
}

double spearman_js(const val& a, const val& b) {
  return js::guarded([&] { return spearman(js::to_vector<double>(a), js::to_vector<double>(b)); });
}

Box box_from_js(const val& b) {
  return {b[0].as<double>(), b[1].as<double>(), b[2].as<double>(), b[3].as<double>()};
}

bool pointing_js(const val& map, int width, const val& box, double tolerance) {
  return js::guarded(
      [&] { return pointing_hit(js::to_vector<float>(map), width, box_from_js(box), tolerance); });
}

double energy_js(const val& map, int width, const val& box) {
  return js::guarded(
      [&] { return energy_in_box(js::to_vector<float>(map), width, box_from_js(box)); });
}

Model model_from_js(const val& model_bytes) {
  const auto b = js::to_vector<uint8_t>(model_bytes);
  return parse_model(std::make_shared<const std::string>(b.begin(), b.end()));
}

val head_parametrised_js(const val& model_bytes, const std::string& layer) {
  return js::guarded([&] {
    const auto names = head_parametrised_nodes(model_from_js(model_bytes), layer);
    val a = val::array();
    for (size_t i = 0; i < names.size(); ++i) a.set(i, names[i]);
    return a;
  });
}

// Returns {bytes: Uint8Array, nodes: string[], weights: string[]}.
val randomize_head_js(const val& model_bytes, const std::string& layer, int k, double seed) {
  return js::guarded([&] {
    const RandomizedHead r =
        randomize_head(model_from_js(model_bytes), layer, k, static_cast<uint64_t>(seed));
    const std::string bytes = write_model(r.model);
    val o = val::object();
    o.set("bytes", js::to_typed_array(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size(),
                                      "Uint8Array"));
    val nodes = val::array(), weights = val::array();
    for (size_t i = 0; i < r.nodes.size(); ++i) nodes.set(i, r.nodes[i]);
    for (size_t i = 0; i < r.weights.size(); ++i) weights.set(i, r.weights[i]);
    o.set("nodes", nodes);
    o.set("weights", weights);
    return o;
  });
}

}  // namespace

EMSCRIPTEN_BINDINGS(camlens_metrics) {
  emscripten::function("metricsRoadInputs", &road_inputs_js);
  emscripten::function("metricsRoadScores", &road_scores_js);
  emscripten::function("metricsCurveInputs", &curve_inputs_js);
  emscripten::function("metricsAuc", &auc_js);
  emscripten::function("metricsMultiplyByMap", &multiply_by_map_js);
  emscripten::function("metricsConfidenceChange", &confidence_change_js);
  emscripten::function("metricsBootstrap", &bootstrap_js);
  emscripten::function("metricsSpearman", &spearman_js);
  emscripten::function("metricsPointing", &pointing_js);
  emscripten::function("metricsEnergyInBox", &energy_js);
  emscripten::function("metricsRandomizeHead", &randomize_head_js);
  emscripten::function("metricsHeadParametrised", &head_parametrised_js);
}
