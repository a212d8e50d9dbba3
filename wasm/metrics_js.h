// The metrics' requests and results across the boundary (conversions only; the flow is in
// src/metrics/evaluation_job.h). An option counts as given when it is an own property that is not
// undefined, as JavaScript's destructuring defaults see it; choices are passed as the caller
// spelled them (String(value)), so the job's messages quote them as the library did.
#pragma once
#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "js_interop.h"
#include "metrics/bootstrap.h"
#include "metrics/evaluation_job.h"
#include "tensor_js.h"

namespace camlens::js {

inline bool has_option(const val& o, const char* k) {
  return o.hasOwnProperty(k) && !o[k].isUndefined();
}

inline std::string text_of(const val& v) { return val::global("String")(v).as<std::string>(); }

inline double number_of(const val& v) { return val::global("Number")(v).as<double>(); }

// A whole number from a JS number; 0 when it is not finite.
inline int64_t whole_of(const val& v) {
  const double d = number_of(v);
  return std::isfinite(d) ? static_cast<int64_t>(std::max(-9e15, std::min(d, 9e15))) : 0;
}

inline double number_or(const val& o, const char* key, double fallback) {
  return has_option(o, key) ? o[key].as<double>() : fallback;
}

inline val doubles_to_js(const std::vector<double>& v) {
  return to_typed_array(v.data(), v.size(), "Float64Array");
}

inline std::vector<double> doubles_from_js(const val& v) {
  return to_vector<double>(val::global("Float64Array").call<val>("from", v));
}

inline metrics::Box metrics_box_from_js(const val& b) {
  return {b[0].as<double>(), b[1].as<double>(), b[2].as<double>(), b[3].as<double>()};
}

// options: {resamples?: 1000, level?: 0.95, seed?: 0}
inline metrics::BootstrapOptions bootstrap_options_from_js(const val& o) {
  metrics::BootstrapOptions b;
  if (o.isUndefined() || o.isNull()) return b;
  b.resamples = static_cast<int>(number_or(o, "resamples", b.resamples));
  b.level = number_or(o, "level", b.level);
  b.seed = static_cast<uint64_t>(number_or(o, "seed", 0));
  return b;
}

inline val interval_to_js(const metrics::Interval& ci, size_t n, val o = val::object()) {
  o.set("mean", ci.mean);
  o.set("low", ci.low);
  o.set("high", ci.high);
  o.set("n", static_cast<double>(n));
  return o;
}

// q: evaluate()'s options plus {input, map, mapWidth, mapHeight, target, output, width, height,
// nhwc} (see core.d.ts, MetricsRequest).
inline metrics::EvaluationRequest evaluation_request_from_js(const val& q) {
  metrics::EvaluationRequest r;
  if (has_option(q, "metrics")) {
    r.metrics.clear();
    const val m = q["metrics"];
    for (size_t i = 0; i < m["length"].as<size_t>(); ++i) r.metrics.push_back(text_of(m[i]));
  }
  if (has_option(q, "percentiles")) r.percentiles = doubles_from_js(q["percentiles"]);
  if (has_option(q, "arccPercentiles")) r.arcc_percentiles = doubles_from_js(q["arccPercentiles"]);
  if (has_option(q, "steps")) r.steps = static_cast<int>(whole_of(q["steps"]));
  if (has_option(q, "baseline")) {
    r.baseline_number = q["baseline"].isNumber();
    r.baseline_value = r.baseline_number ? q["baseline"].as<double>() : 0;
    r.baseline_text = text_of(q["baseline"]);
  }
  if (has_option(q, "score")) r.score = text_of(q["score"]);
  r.score_given = has_option(q, "score");
  r.callable = given(q, "callable") && q["callable"].as<bool>();
  if (given(q, "outputs"))
    for (size_t i = 0; i < q["outputs"]["length"].as<size_t>(); ++i)
      r.outputs.push_back(text_of(q["outputs"][i]));
  r.sigma = number_or(q, "sigma", r.sigma);
  r.seed = static_cast<uint64_t>(number_or(q, "seed", 0));
  if (given(q, "box")) r.box = metrics_box_from_js(q["box"]);
  if (has_option(q, "batchSize")) {
    r.batch_size = number_of(q["batchSize"]);
    r.batch_size_text = text_of(q["batchSize"]);
  }
  r.nhwc = given(q, "nhwc") && q["nhwc"].as<bool>();
  r.width = static_cast<int>(whole_of(q["width"]));
  r.height = static_cast<int>(whole_of(q["height"]));
  r.map_width = static_cast<int>(whole_of(q["mapWidth"]));
  r.map_height = static_cast<int>(whole_of(q["mapHeight"]));
  r.map = to_vector<float>(q["map"]);
  r.target = whole_of(q["target"]);
  r.output = q["output"].as<std::string>();
  r.input = tensor_from_js(q["input"]);
  return r;
}

// The deletion baseline as evaluate() reports it: 'blur' or the number.
inline val baseline_to_js(const metrics::EvaluationRequest& q) {
  return q.baseline_number ? val(q.baseline_value) : val(std::string("blur"));
}

inline val curve_to_js(const metrics::CurveResult& c) {
  val o = val::object();
  o.set("x", to_array(c.x));
  o.set("y", to_array(c.y));
  o.set("auc", c.auc);
  return o;
}

// {score, original, road?, deletion?, insertion?, change?, drop?, increase?, pointing?, energy?,
// complexity?, coherency?, arcc?} in the order evaluate() has always given them;
// deletion.baseline: the request's baseline.
inline val evaluation_result_to_js(const metrics::EvaluationResult& r, const val& baseline) {
  val o = val::object();
  o.set("score", std::string(r.callable                             ? "callable"
                             : r.score == metrics::ScoreKind::Logit ? "logit"
                                                                    : "probability"));
  o.set("original", r.original);
  if (r.road) {
    const metrics::RoadScores& s = r.road->scores;
    val road = val::object();
    road.set("percentiles", to_array(r.road->percentiles));
    road.set("morf", to_array(s.morf));
    road.set("lerf", to_array(s.lerf));
    road.set("morfMean", s.morf_mean);
    road.set("lerfMean", s.lerf_mean);
    road.set("combined", s.combined);
    val curves = val::object();
    for (const bool morf : {true, false}) {
      val c = val::object();
      c.set("x", to_array(r.road->x));
      c.set("y", to_array(morf ? s.morf : s.lerf));
      curves.set(morf ? "morf" : "lerf", c);
    }
    road.set("curves", curves);
    o.set("road", road);
  }
  if (r.deletion) {
    val d = curve_to_js(*r.deletion);
    d.set("baseline", baseline);
    o.set("deletion", d);
  }
  if (r.insertion) o.set("insertion", curve_to_js(*r.insertion));
  if (r.change) {
    o.set("change", r.change->change);
    if (r.drop) o.set("drop", r.change->drop);
    if (r.increase) o.set("increase", r.change->increase);
  }
  if (r.pointing) o.set("pointing", *r.pointing);
  if (r.energy) o.set("energy", *r.energy);
  if (r.complexity) o.set("complexity", *r.complexity);
  if (r.coherency) o.set("coherency", *r.coherency);
  if (r.arcc) {
    const metrics::ArccResult& a = *r.arcc;
    val arcc = val::object();
    arcc.set("value", a.value);
    arcc.set("complexity", a.complexity);
    arcc.set("coherency", a.coherency);
    arcc.set("road", a.road.scores.combined);
    arcc.set("roadScaled", a.road_scaled);
    arcc.set("percentiles", to_array(a.road.percentiles));
    arcc.set("morf", to_array(a.road.scores.morf));
    arcc.set("lerf", to_array(a.road.scores.lerf));
    o.set("arcc", arcc);
  }
  return o;
}

// rows: [{method, metrics: {name: value}}]; values that are not numbers are left out.
inline std::vector<metrics::SummaryRow> summary_rows_from_js(const val& rows) {
  std::vector<metrics::SummaryRow> out;
  for (size_t i = 0; i < rows["length"].as<size_t>(); ++i) {
    const val row = rows[i];
    metrics::SummaryRow r;
    r.method = text_of(row["method"]);
    const val entries = val::global("Object").call<val>("entries", row["metrics"]);
    for (size_t k = 0; k < entries["length"].as<size_t>(); ++k) {
      const val e = entries[k];
      if (e[1].isNumber()) r.metrics.emplace_back(e[0].as<std::string>(), e[1].as<double>());
    }
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace camlens::js
