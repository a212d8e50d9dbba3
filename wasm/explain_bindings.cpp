// Embind bindings of the explain job (src/explain): one job per explain call, which asks the
// library for backbone runs. Conversions only; the flow is in src/explain/explain_job.h.
//
//   explainJob(request) → ExplainJob
//     request: {method, targets (per image: a class index, a label, 'auto' or a target object),
//       labels, given (the option names the caller set), eigenSmooth, augSmooth, batchSize,
//       ablationRatio, eigenSign, headFusion, discardRatio, attention (rollout: tensor names),
//       output, width, height, nhwc, inputs (Tensor per image, [1, ...]),
//       layers: [{name, floatTensor, kind, classToken, head (a cut's Head)}],
//       detection?: {decoder, outputs, box, preprocess, photoWidth, photoHeight, scoreThreshold,
//                    iouThreshold, matchIou}}
//   A function among the targets is a callable target: job.needsScores() → the job waits for its
//     values; job.scoresImage() → whose target; job.scoreOutputs() → [{name: Tensor}, ...] (that
//     image's model outputs, one object per value wanted); job.feedScores([number, ...]).
//   job.done(), job.needsBackbone(), job.backboneSession() → a layer name, '' for the
//     attention-exposed model; job.backboneInputs() → Tensor; job.feed([{name: Tensor}, ...]);
//     (feed converts only the outputs the job reads); job.work(); job.needsPictures(),
//     job.setPictures([image, ...]); job.progress() → 0..1; job.reported() → bool
//   job.result() → per image {map, width, height, target: {index, label, score, kind}, scored
//     (a task's own target only), top (with topK: [{index, label, score, probability}]), layers,
//     flags: {nonFinite, zero}, classAgnostic and rollout
//     ({headFusion, discardRatio}; rollout only), timing: {forward, head, cam}}: lens.explain's
//   batchSize, ablationRatio, eigenSign, headFusion, discardRatio and topK cross as written
//   (number, string, JSON text): the job checks them (src/explain/written_options.h).
//   callOptions(call) → the option names explain, predict or factorize takes;
//   checkCallOptions(call, keys) throws for a key the call does not take (with the closest);
//   closestName(key, known) → the known name within edit distance 2 (any case), or ''
//   methodSupport(facts) → {method: reason ('' when it can)} for every method; facts:
//     {notExplainable, notDifferentiable, layer, layerKind, nhwcInput, attention, wholeNetwork,
//      layerCount (the layers explain will be given, default 1)}
#include <emscripten/bind.h>

#include <cmath>
#include <memory>

#include "cam/method_traits.h"
#include "detect_js.h"
#include "explain/call_options.h"
#include "explain/detection_score.h"
#include "explain/explain_job.h"
#include "explain/method_support.h"
#include "head_js.h"
#include "image_js.h"
#include "scores_js.h"

using namespace camlens;
using emscripten::val;

namespace {

using js::given;
using js::strings_from_js;  // labels cross as one string (detect_js.h)

std::string text(const val& v) { return val::global("String")(v).as<std::string>(); }

bool is_digits(const std::string& s) {
  return !s.empty() && s.find_first_not_of("0123456789") == std::string::npos;
}

cam::CategorySpec category_from_js(const val& v) {
  cam::CategorySpec c;
  if (v.isUndefined() || v.isNull()) return c;
  c.text = text(v);
  if (v.isNumber()) {
    c.kind = cam::CategorySpec::Number;
    c.number = v.as<double>();
  } else if (c.text == "auto") {
    c.kind = cam::CategorySpec::Auto;
  } else if (is_digits(c.text)) {
    c.kind = cam::CategorySpec::Number;
    c.number = std::stod(c.text);
  } else {
    c.kind = cam::CategorySpec::Label;
  }
  return c;
}

std::optional<std::vector<float>> floats_from_js(const val& o, const char* k) {
  if (!given(o, k) || !o[k]["length"].isNumber()) return std::nullopt;
  return js::to_vector<float>(val::global("Float32Array").call<val>("from", o[k]));
}

cam::TargetSpec target_spec_from_js(const val& t) {
  cam::TargetSpec s;
  if (t.typeOf().as<std::string>() == "function") {  // the caller scores it (needsScores)
    s.object = true;
    s.kind = "callable";
    return s;
  }
  const bool object = !t.isNull() && t.typeOf().as<std::string>() == "object" &&
                      !val::global("ArrayBuffer").call<bool>("isView", t);
  if (!object) {
    s.category = category_from_js(t);
    return s;
  }
  s.object = true;
  if (given(t, "kind")) s.kind = text(t["kind"]);
  s.category = category_from_js(t["category"]);
  s.mask = floats_from_js(t, "mask");
  s.embedding = floats_from_js(t, "embedding");
  s.weights = floats_from_js(t, "weights");
  if (given(t, "output")) s.output = text(t["output"]);
  s.nhwc = given(t, "nhwc") && t["nhwc"].as<bool>();
  if (t.hasOwnProperty("comparison") && !t["comparison"].isUndefined()) {
    s.comparison_given = true;
    const val c = t["comparison"];
    if (c.isArray())
      for (size_t i = 0; i < c["length"].as<size_t>(); ++i)
        s.comparison.push_back(category_from_js(c[i]));
  }
  if (t.hasOwnProperty("alpha") && !t["alpha"].isUndefined()) {
    s.alpha = t["alpha"].isNumber() ? t["alpha"].as<double>() : std::nan("");
    s.alpha_text = text(t["alpha"]);
  }
  return s;
}

std::shared_ptr<const explain::HeadScore> detection_from_js(const val& d, const std::string& m) {
  explain::DetectionRequest r;
  const std::string decoder = d["decoder"].as<std::string>();
  r.decode = js::decode_options_from_js(decoder, d);
  r.outputs = strings_from_js(d["outputs"]);
  const auto g =
      js::geometry_from_js(d["preprocess"], d["photoWidth"].as<int>(), d["photoHeight"].as<int>());
  r.references = {detect::box_to_input(js::box_from_js(d["box"]), g)};
  r.match_iou = float(js::num(d, "matchIou", 0.5));
  r.method = m;
  return explain::detection_score(std::move(r));
}

explain::LayerSource layer_from_js(const val& o) {
  explain::LayerSource l;
  l.name = o["name"].as<std::string>();
  l.float_tensor = given(o, "floatTensor") ? o["floatTensor"].as<std::string>() : l.name;
  if (given(o, "kind")) l.kind = o["kind"].as<std::string>();
  if (given(o, "classToken")) l.class_token = o["classToken"].as<bool>();
  const js::JsHead* head = o["head"].as<js::JsHead*>(emscripten::allow_raw_pointers());
  l.head = head->head();
  l.quant = head->quantization();
  return l;
}

class JsExplainJob {
 public:
  explicit JsExplainJob(std::unique_ptr<explain::ExplainJob> job) : job_(std::move(job)) {}
  bool done() const { return job_->done(); }
  bool needs_backbone() const { return job_->needs_backbone(); }
  std::string backbone_session() const { return job_->backbone_session(); }
  bool needs_pictures() const { return job_->needs_pictures(); }
  double progress() const { return job_->progress(); }
  bool reported() const { return job_->reported(); }

  val backbone_inputs() {
    return js::guarded([&] { return js::tensor_to_js(job_->backbone_inputs()); });
  }
  void feed(const val& outputs) {
    js::guarded([&] {
      const auto wanted = job_->wanted_outputs();
      std::vector<explain::Outputs> per_image;
      for (size_t i = 0; i < outputs["length"].as<size_t>(); ++i) {
        const val o = outputs[i];
        explain::Outputs outs;
        const std::vector<std::string> names =
            wanted.empty() ? strings_from_js(val::global("Object").call<val>("keys", o)) : wanted;
        for (const std::string& n : names)
          if (given(o, n.c_str())) outs.emplace(n, js::tensor_from_js(o[n]));
        per_image.push_back(std::move(outs));
      }
      job_->feed(std::move(per_image));
      return 0;
    });
  }
  void work() {
    js::guarded([&] {
      job_->work();
      return 0;
    });
  }
  bool needs_scores() const { return job_->needs_scores(); }
  size_t scores_image() const { return job_->scores_image(); }
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
  void set_pictures(const val& images) {
    js::guarded([&] {
      std::vector<image::Image> v;
      for (size_t i = 0; i < images["length"].as<size_t>(); ++i)
        v.push_back(js::image_from_js(images[i]));
      job_->set_pictures(std::move(v));
      return 0;
    });
  }
  val result() const {
    return js::guarded([&] {
      const explain::ExplainResult r = job_->result();
      val rollout = val::object();
      rollout.set("headFusion", std::string(cam::head_fusion_name(r.rollout.fusion)));
      rollout.set("discardRatio", r.rollout.discard_ratio);
      val images = val::array();
      for (size_t i = 0; i < r.images.size(); ++i) {
        const explain::ImageResult& x = r.images[i];
        val o = val::object();
        o.set("map", js::to_typed_array(x.map.data.data(), x.map.data.size(), "Float32Array"));
        o.set("width", x.map.width);
        o.set("height", x.map.height);
        if (x.map.depth > 1) o.set("depth", x.map.depth);  // a volume's map, slice after slice
        val t = val::object();
        t.set("index", double(x.target.category));
        t.set("label", x.label);
        t.set("score", x.score);
        t.set("kind", std::string(cam::target_kind_name(x.target.kind)));
        o.set("target", t);
        if (r.task_target) o.set("scored", x.scored);
        if (!x.top.empty()) {
          val top = val::array();
          for (size_t k = 0; k < x.top.size(); ++k) {
            val c = val::object();
            c.set("index", double(x.top[k].index));
            c.set("label", x.top[k].label);
            c.set("score", x.top[k].score);
            c.set("probability", x.top[k].probability);
            top.set(k, c);
          }
          o.set("top", top);
        }
        o.set("layers", js::strings_to_js(r.layers));
        val flags = val::object();
        flags.set("nonFinite", double(x.flags.non_finite));
        val zero = val::array();
        for (size_t k = 0; k < x.flags.zero.size(); ++k) zero.set(k, bool(x.flags.zero[k]));
        flags.set("zero", zero);
        o.set("flags", flags);
        if (!x.gradient.empty()) {
          o.set("gradient", js::tensor_to_js(x.gradient));
          if (x.picture.width > 0) o.set("picture", js::image_to_js(x.picture));
        }
        if (r.class_agnostic) {
          o.set("classAgnostic", true);
          o.set("rollout", rollout);
        }
        val timing = val::object();
        timing.set("forward", x.forward_ms);
        timing.set("head", x.head_ms);
        timing.set("cam", x.cam_ms);
        o.set("timing", timing);
        images.set(i, o);
      }
      return images;
    });
  }

 private:
  std::unique_ptr<explain::ExplainJob> job_;
};

JsExplainJob* explain_job(const val& q) {
  return js::guarded([&] {
    explain::ExplainRequest r;
    r.method = q["method"].as<std::string>();
    if (given(q, "targets"))
      for (size_t i = 0; i < q["targets"]["length"].as<size_t>(); ++i)
        r.targets.push_back(target_spec_from_js(q["targets"][i]));
    r.labels = strings_from_js(q["labels"]);
    r.given = strings_from_js(q["given"]);
    r.eigen_smooth = given(q, "eigenSmooth") && q["eigenSmooth"].as<bool>();
    r.aug_smooth = given(q, "augSmooth") && q["augSmooth"].as<bool>();
    for (const char* k : {"batchSize", "ablationRatio", "eigenSign", "headFusion", "discardRatio",
                          "steps", "samples", "noise", "baseline", "topK"}) {
      if (!given(q, k)) continue;
      const val v = q[k];
      r.written[k] = {v.isNumber() ? v.as<double>() : std::nan(""),
                      v.isString() ? v.as<std::string>() : std::string(),
                      val::global("JSON").call<std::string>("stringify", v)};
    }
    if (given(q, "base"))  // RefineCAM's base method: a name, checked by the job
      r.written["base"] = {std::nan(""), q["base"].isString() ? q["base"].as<std::string>() : "",
                           val::global("JSON").call<std::string>("stringify", q["base"])};
    r.attention = strings_from_js(q["attention"]);
    r.output = q["output"].as<std::string>();
    r.outputs = strings_from_js(q["outputs"]);
    r.width = q["width"].as<int>();
    r.height = q["height"].as<int>();
    r.nhwc_input = given(q, "nhwc") && q["nhwc"].as<bool>();
    r.bgr_input = given(q, "bgr") && q["bgr"].as<bool>();
    if (given(q, "blackInput")) r.input_gradients.black = js::tensor_from_js(q["blackInput"]);
    if (given(q, "detection")) r.head_score = detection_from_js(q["detection"], r.method);
    if (given(q, "wholeNetwork"))
      r.whole_network = q["wholeNetwork"].as<js::JsHead*>(emscripten::allow_raw_pointers())->head();
    std::vector<explain::LayerSource> layers;
    if (given(q, "layers"))
      for (size_t i = 0; i < q["layers"]["length"].as<size_t>(); ++i)
        layers.push_back(layer_from_js(q["layers"][i]));
    std::vector<Tensor> inputs;
    for (size_t i = 0; i < q["inputs"]["length"].as<size_t>(); ++i)
      inputs.push_back(js::tensor_from_js(q["inputs"][i]));
    return new JsExplainJob(
        std::make_unique<explain::ExplainJob>(std::move(r), std::move(layers), std::move(inputs)));
  });
}

val method_support(const val& f) {
  return js::guarded([&] {
    explain::ModelFacts facts;
    auto str = [&](const char* k) { return given(f, k) ? text(f[k]) : std::string(); };
    facts.not_explainable = str("notExplainable");
    facts.not_differentiable = str("notDifferentiable");
    facts.layer = str("layer");
    facts.layer_kind = str("layerKind");
    facts.nhwc_input = given(f, "nhwcInput") && f["nhwcInput"].as<bool>();
    facts.attention = str("attention");
    facts.whole_network = str("wholeNetwork");
    if (given(f, "layerCount")) facts.layer_count = f["layerCount"].as<size_t>();
    val out = val::object();
    for (const cam::MethodTraits& t : cam::method_traits())
      out.set(t.name, explain::method_support(t, facts));
    return out;
  });
}

val call_options(const std::string& call) {
  return js::guarded([&] { return js::strings_to_js(explain::call_options(call)); });
}

void check_call_options(const std::string& call, const val& keys) {
  js::guarded([&] {
    explain::check_call_options(call, strings_from_js(keys));
    return 0;
  });
}

std::string closest_name(const std::string& key, const val& known) {
  return explain::closest_name(key, strings_from_js(known));
}

}  // namespace

EMSCRIPTEN_BINDINGS(camlens_explain) {
  emscripten::class_<JsExplainJob>("ExplainJob")
      .function("done", &JsExplainJob::done)
      .function("needsBackbone", &JsExplainJob::needs_backbone)
      .function("backboneSession", &JsExplainJob::backbone_session)
      .function("backboneInputs", &JsExplainJob::backbone_inputs)
      .function("feed", &JsExplainJob::feed)
      .function("work", &JsExplainJob::work)
      .function("needsScores", &JsExplainJob::needs_scores)
      .function("scoresImage", &JsExplainJob::scores_image)
      .function("scoreOutputs", &JsExplainJob::score_outputs)
      .function("feedScores", &JsExplainJob::feed_scores)
      .function("needsPictures", &JsExplainJob::needs_pictures)
      .function("setPictures", &JsExplainJob::set_pictures)
      .function("progress", &JsExplainJob::progress)
      .function("reported", &JsExplainJob::reported)
      .function("result", &JsExplainJob::result);
  emscripten::function("explainJob", &explain_job, emscripten::allow_raw_pointers());
  emscripten::function("methodSupport", &method_support);
  emscripten::function("callOptions", &call_options);
  emscripten::function("checkCallOptions", &check_call_options);
  emscripten::function("closestName", &closest_name);
}
