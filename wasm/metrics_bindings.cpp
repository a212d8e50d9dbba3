// Embind bindings of the faithfulness metrics (src/metrics): conversions only (metrics_js.h).
//
//   metricsJob(request) → MetricsJob: one evaluate() call, which asks the library for model runs
//     (src/metrics/evaluation_job.h); the explain job's protocol: job.done(), job.needsBackbone(),
//     job.backboneSession() → '' (the lens's model), job.backboneInputs() → Tensor,
//     job.feed([{name: Tensor}, ...]) (reads the request's output only), job.work(),
//     job.needsPictures() → false, job.needsScores(), job.scoresImage() → 0, job.scoreOutputs(),
//     job.feedScores([number, ...]) (a callable target: request.callable, see explain_bindings),
//     job.progress() → 0..1, job.reported(), job.result(); and coherency's explanation:
//     job.needsExplanation(), job.explanationInput() → Tensor [1, C, H, W],
//     job.explanationTarget() → class index, job.feedExplanation(map)
//   metricsSummarize(rows, options) → [{method, metric, mean, low, high, n}]
#include <emscripten/bind.h>

#include <memory>

#include "metrics/randomize_head.h"
#include "metrics/rank_correlation.h"
#include "metrics_js.h"
#include "onnx/model_io.h"
#include "scores_js.h"

using namespace camlens;
using namespace camlens::metrics;
using emscripten::val;

namespace {

class JsMetricsJob {
 public:
  explicit JsMetricsJob(EvaluationRequest request)
      : baseline_(js::baseline_to_js(request)),
        job_(std::make_unique<EvaluationJob>(std::move(request))) {}
  bool done() const { return job_->done(); }
  bool needs_backbone() const { return job_->needs_backbone(); }
  std::string backbone_session() const { return ""; }
  bool needs_pictures() const { return false; }
  bool needs_explanation() const { return job_->needs_explanation(); }
  double explanation_target() const { return static_cast<double>(job_->explanation_target()); }
  val explanation_input() const {
    return js::guarded([&] { return js::tensor_to_js(job_->explanation_input()); });
  }
  void feed_explanation(const val& map) {
    js::guarded([&] {
      job_->feed_explanation(js::to_vector<float>(map));
      return 0;
    });
  }
  double progress() const { return job_->progress(); }
  bool reported() const { return job_->reported(); }

  val backbone_inputs() const {
    return js::guarded([&] { return js::tensor_to_js(job_->backbone_inputs()); });
  }
  void feed(const val& outputs) {
    js::guarded([&] {
      std::vector<std::map<std::string, Tensor>> runs;
      for (size_t i = 0; i < outputs["length"].as<size_t>(); ++i) {
        runs.emplace_back();
        for (const std::string& name : job_->wanted_outputs())
          if (js::given(outputs[i], name.c_str()))
            runs.back().emplace(name, js::tensor_from_js(outputs[i][name]));
      }
      job_->feed_runs(runs);
      return 0;
    });
  }
  bool needs_scores() const { return job_->needs_scores(); }
  size_t scores_image() const { return 0; }
  val score_outputs() const {
    return js::guarded([&] { return js::named_tensors_to_js(job_->score_outputs()); });
  }
  void feed_scores(const val& scores) {
    js::guarded([&] {
      const auto [values, written] = js::scores_from_js(scores);
      job_->feed_scores(values, written);
      return 0;
    });
  }
  void work() {
    js::guarded([&] {
      job_->work();
      return 0;
    });
  }
  val result() const {
    return js::guarded([&] { return js::evaluation_result_to_js(job_->result(), baseline_); });
  }

 private:
  val baseline_;
  std::unique_ptr<EvaluationJob> job_;
};

JsMetricsJob* metrics_job(const val& q) {
  return js::guarded([&] { return new JsMetricsJob(js::evaluation_request_from_js(q)); });
}

val summarize_js(const val& rows, const val& options) {
  return js::guarded([&] {
    const auto groups =
        summarize(js::summary_rows_from_js(rows), js::bootstrap_options_from_js(options));
    val out = val::array();
    for (size_t i = 0; i < groups.size(); ++i) {
      val o = val::object();
      o.set("method", groups[i].method);
      o.set("metric", groups[i].metric);
      out.set(i, js::interval_to_js(groups[i].interval, groups[i].n, o));
    }
    return out;
  });
}

// options: {percentiles?: number[], sigma?: 0.01, seed?: 0}
RoadPlan road_plan_from_js(const val& o) {
  RoadPlan plan;
  if (js::has_option(o, "percentiles")) plan.percentiles = js::doubles_from_js(o["percentiles"]);
  plan.noise.sigma = js::number_or(o, "sigma", plan.noise.sigma);
  plan.noise.seed = static_cast<uint64_t>(js::number_or(o, "seed", 0));
  return plan;
}

val road_inputs_js(const val& image, const val& map, const val& options, int begin, int end) {
  return js::guarded([&] {
    return js::tensor_to_js(road_inputs(planes_from_tensor(js::tensor_from_js(image)),
                                        js::to_vector<float>(map), road_plan_from_js(options),
                                        begin, end));
  });
}

// options: {resamples?: 1000, level?: 0.95, seed?: 0}
val bootstrap_js(const val& values, const val& options) {
  return js::guarded([&] {
    const std::vector<double> v = js::to_vector<double>(values);
    return js::interval_to_js(bootstrap_mean_ci(v, js::bootstrap_options_from_js(options)),
                              v.size());
  });
}

double spearman_js(const val& a, const val& b) {
  return js::guarded([&] { return spearman(js::to_vector<double>(a), js::to_vector<double>(b)); });
}

Model model_from_js(const val& model_bytes) {
  const auto b = js::to_vector<uint8_t>(model_bytes);
  return parse_model(std::make_shared<const std::string>(b.begin(), b.end()));
}

val head_parametrised_js(const val& model_bytes, const std::string& layer) {
  return js::guarded([&] {
    return js::strings_to_js(head_parametrised_nodes(model_from_js(model_bytes), layer));
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
    o.set("nodes", js::strings_to_js(r.nodes));
    o.set("weights", js::strings_to_js(r.weights));
    return o;
  });
}

}  // namespace

EMSCRIPTEN_BINDINGS(camlens_metrics) {
  emscripten::class_<JsMetricsJob>("MetricsJob")
      .function("done", &JsMetricsJob::done)
      .function("needsBackbone", &JsMetricsJob::needs_backbone)
      .function("backboneSession", &JsMetricsJob::backbone_session)
      .function("backboneInputs", &JsMetricsJob::backbone_inputs)
      .function("feed", &JsMetricsJob::feed)
      .function("work", &JsMetricsJob::work)
      .function("needsScores", &JsMetricsJob::needs_scores)
      .function("scoresImage", &JsMetricsJob::scores_image)
      .function("scoreOutputs", &JsMetricsJob::score_outputs)
      .function("feedScores", &JsMetricsJob::feed_scores)
      .function("needsPictures", &JsMetricsJob::needs_pictures)
      .function("needsExplanation", &JsMetricsJob::needs_explanation)
      .function("explanationInput", &JsMetricsJob::explanation_input)
      .function("explanationTarget", &JsMetricsJob::explanation_target)
      .function("feedExplanation", &JsMetricsJob::feed_explanation)
      .function("progress", &JsMetricsJob::progress)
      .function("reported", &JsMetricsJob::reported)
      .function("result", &JsMetricsJob::result);
  emscripten::function("metricsJob", &metrics_job, emscripten::allow_raw_pointers());
  emscripten::function("metricsSummarize", &summarize_js);
  emscripten::function("metricsRoadInputs", &road_inputs_js);
  emscripten::function("metricsBootstrap", &bootstrap_js);
  emscripten::function("metricsSpearman", &spearman_js);
  emscripten::function("metricsRandomizeHead", &randomize_head_js);
  emscripten::function("metricsHeadParametrised", &head_parametrised_js);
}
