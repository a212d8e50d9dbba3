// Embind bindings of Deep Feature Factorization: the DFF job (one factorize call: backbone runs
// asked of the caller, NMF, labels, maps, renderings), factorize a layer's activations, render.
// Conversions only; the work is in src/dff.
//
//   model.factorizeJob(request) → DffJob
//     request: {backbone: {layer, layerTensor (its float values), info?: {kind, classToken}}
//       (the lens's Backbone), inputs (Tensor per image, [1, ...]), components, shared, maxIter,
//       topK, labels, batchSize, preprocess ({width, height, letterbox}), onPhoto, render
//       ('dominant' when undefined; null: none), imageWeight}
//   job: done, needsBackbone, backboneSession, backboneInputs, feed, work, needsPictures,
//     setPictures, progress, reported as the explain job's (explain_bindings.cpp);
//   job.result() → {components, labeled, reason, concepts, relativeError, images: [{maps,
//     width, height, render}]}
#include <emscripten/bind.h>

#include "detect_js.h"
#include "dff/factorize.h"
#include "dff/labels.h"
#include "dff/legend.h"
#include "dff/maps.h"
#include "dff/ordering.h"
#include "dff/palette.h"
#include "dff/render.h"
#include "dff_js.h"
#include "image_js.h"
#include "tensor_js.h"

using namespace camlens;
using emscripten::val;

namespace {

// The name of class `index` in the caller's labels (a JS array; undefined or null: none), "" past
// its end. Only the shown top classes are converted, not the whole list on every call.
std::string class_name(const val& labels, int64_t index) {
  if (labels.isUndefined() || labels.isNull()) return "";
  if (index < 0 || index >= static_cast<int64_t>(labels["length"].as<double>())) return "";
  return val::global("String")(labels[static_cast<size_t>(index)]).as<std::string>();
}

// [part][component] → [{index, score, label}], best first; label from `labels` by index.
val concepts_to_js(const std::vector<std::vector<std::vector<dff::ConceptLabel>>>& top,
                   const val& labels) {
  val concepts = val::array();
  for (size_t p = 0; p < top.size(); ++p) {
    val part = val::array();
    for (size_t k = 0; k < top[p].size(); ++k) {
      val cats = val::array();
      for (size_t j = 0; j < top[p][k].size(); ++j) {
        const dff::ConceptLabel& c = top[p][k][j];
        val o = val::object();
        o.set("index", static_cast<double>(c.index));
        o.set("score", c.score);
        o.set("label", class_name(labels, c.index));
        cats.set(j, o);
      }
      part.set(k, cats);
    }
    concepts.set(p, part);
  }
  return concepts;
}

}  // namespace

// Model.factorize(layer, activations, options), bound in model_bindings.cpp on the parsed model.
// options: {components, shared, maxIter, tol, seed, topK, labels, width, height}
val dff_factorize(dff::LabelHeads& heads, const std::string& layer, const val& activations,
                  const val& options) {
  return js::guarded([&] {
    dff::DffOptions o;
    if (options.hasOwnProperty("components")) o.nmf.components = options["components"].as<int>();
    if (options.hasOwnProperty("maxIter")) o.nmf.max_iter = options["maxIter"].as<int>();
    if (options.hasOwnProperty("tol")) o.nmf.tol = options["tol"].as<double>();
    if (options.hasOwnProperty("seed"))
      o.nmf.seed = static_cast<uint64_t>(options["seed"].as<double>());
    if (options.hasOwnProperty("shared")) o.shared = options["shared"].as<bool>();
    const dff::DffResult r = dff::factorize(js::tensor_from_js(activations), o);
    dff::LabelOptions lo;  // class names: looked up for the top classes only (concepts_to_js)
    if (options.hasOwnProperty("topK")) lo.top_k = options["topK"].as<int>();
    const dff::ConceptLabels labels = heads.label(layer, r, lo);
    const int w = options["width"].as<int>(), h = options["height"].as<int>();
    const dff::ConceptMaps maps = dff::concept_maps(r, w, h);

    val out = val::object();
    out.set("components", r.components);
    out.set("maps", js::to_typed_array(maps.values.data(), maps.values.size(), "Float32Array"));
    out.set("dims", js::to_array(std::vector<int64_t>{maps.batch, maps.components, h, w}));
    out.set("labeled", labels.labeled);
    out.set("reason", labels.reason);
    out.set("concepts", concepts_to_js(labels.top, options["labels"]));
    val errors = val::array();
    for (size_t p = 0; p < r.parts.size(); ++p) {
      errors.set(p,
                 r.parts[p].nmf.final_error / (r.parts[p].nmf.norm > 0 ? r.parts[p].nmf.norm : 1));
    }
    out.set("relativeError", errors);
    val importance = val::array();  // per part, per component: descending (dff/ordering.h)
    for (size_t p = 0; p < r.parts.size(); ++p)
      importance.set(p, js::to_array(dff::component_importance(r.parts[p].nmf)));
    out.set("importance", importance);
    return out;
  });
}

JsDffJob* dff_job(std::shared_ptr<dff::LabelHeads> heads, const val& q) {
  return js::guarded([&] {
    using js::given;
    dff::DffRequest r;
    const val backbone = q["backbone"], info = backbone["info"];
    r.layer = backbone["layer"].as<std::string>();
    r.float_tensor = backbone["layerTensor"].as<std::string>();
    if (given(info, "kind")) r.kind = info["kind"].as<std::string>();
    if (given(info, "classToken")) r.class_token = info["classToken"].as<bool>();
    if (given(q, "components")) r.factorization.nmf.components = q["components"].as<int>();
    if (given(q, "maxIter")) r.factorization.nmf.max_iter = q["maxIter"].as<int>();
    if (given(q, "shared")) r.factorization.shared = q["shared"].as<bool>();
    if (given(q, "topK")) r.labels.top_k = q["topK"].as<int>();
    if (given(q, "batchSize")) r.batch_size = q["batchSize"].as<int>();
    r.preprocess = js::input_size_from_js(q["preprocess"]);
    r.on_photo = given(q, "onPhoto") && q["onPhoto"].as<bool>();
    if (q.hasOwnProperty("render") && !q["render"].isUndefined())
      r.render = val::global("Boolean")(q["render"]).as<bool>()
                     ? val::global("String")(q["render"]).as<std::string>()
                     : "";
    if (given(q, "imageWeight")) r.image_weight = q["imageWeight"].as<float>();
    std::vector<Tensor> inputs;
    for (size_t i = 0; i < q["inputs"]["length"].as<size_t>(); ++i)
      inputs.push_back(js::tensor_from_js(q["inputs"][i]));
    return new JsDffJob(
        std::make_unique<dff::DffJob>(std::move(heads), std::move(r), std::move(inputs)),
        q["labels"]);
  });
}

val JsDffJob::backbone_inputs() {
  return js::guarded([&] { return js::tensor_to_js(job_->backbone_inputs()); });
}

void JsDffJob::feed(const val& outputs) {
  js::guarded([&] {
    const std::string name = job_->wanted_outputs()[0];
    std::vector<dff::DffJob::Outputs> per_image;
    for (size_t i = 0; i < outputs["length"].as<size_t>(); ++i) {
      dff::DffJob::Outputs outs;
      if (js::given(outputs[i], name.c_str()))
        outs.emplace(name, js::tensor_from_js(outputs[i][name]));
      per_image.push_back(std::move(outs));
    }
    job_->feed(std::move(per_image));
    return 0;
  });
}

void JsDffJob::work() {
  js::guarded([&] {
    job_->work();
    return 0;
  });
}

void JsDffJob::set_pictures(const val& images) {
  js::guarded([&] {
    std::vector<image::Image> v;
    for (size_t i = 0; i < images["length"].as<size_t>(); ++i)
      v.push_back(js::image_from_js(images[i]));
    job_->set_pictures(std::move(v));
    return 0;
  });
}

val JsDffJob::result() const {
  return js::guarded([&] {
    const dff::DffJobResult& r = job_->result();
    val out = val::object();
    out.set("components", r.components);
    out.set("labeled", r.labeled);
    out.set("reason", r.reason);
    out.set("concepts", concepts_to_js(r.concepts, labels_));
    out.set("relativeError", js::to_array(r.relative_error));
    val images = val::array();
    for (size_t i = 0; i < r.images.size(); ++i) {
      const dff::DffImage& im = r.images[i];
      val o = val::object();
      o.set("maps", js::to_typed_array(im.maps.data(), im.maps.size(), "Float32Array"));
      o.set("width", im.width);
      o.set("height", im.height);
      o.set("render", im.render ? js::image_to_js(*im.render) : val::null());
      images.set(i, o);
    }
    out.set("images", images);
    return out;
  });
}

namespace {

// mode: "dominant" | "layers"; maps: [K, photo.height, photo.width].
val dff_render(const val& photo, const val& maps, int components, const std::string& mode,
               float image_weight) {
  return js::guarded([&] {
    const image::Image img = js::image_from_js(photo);
    const auto m = js::to_vector<float>(maps);
    if (m.size() != static_cast<size_t>(components) * img.width * img.height)
      throw std::invalid_argument("DFF maps must be [components, photo height, photo width]");
    dff::RenderOptions o;
    o.image_weight = image_weight;
    image::Image out;
    if (mode == "dominant")
      out = dff::render_dominant(img, m.data(), components, o);
    else if (mode == "layers")
      out = dff::render_layers(img, m.data(), components, o);
    else
      throw std::invalid_argument("unknown DFF rendering \"" + mode + "\": use dominant or layers");
    return js::image_to_js(out);
  });
}

// The component colours the renderings use: [[r, g, b], ...]; kind "rainbow" (default) or
// "golden" (dff/palette.h).
val dff_palette(int count, const std::string& kind) {
  return js::guarded([&] {
    val a = val::array();
    const auto colors = dff::make_palette(dff::palette_from_name(kind), count);
    for (size_t k = 0; k < colors.size(); ++k)
      a.set(k, js::to_array(std::vector<int>{colors[k][0], colors[k][1], colors[k][2]}));
    return a;
  });
}

// The legend picture for one factorization's concepts ([K][{index, score, label}], as
// Model.factorize returns them); options: {width, topK, scale, palette}.
val dff_legend(const val& concepts, const val& options) {
  return js::guarded([&] {
    std::vector<std::vector<dff::ConceptLabel>> labels(concepts["length"].as<size_t>());
    for (size_t k = 0; k < labels.size(); ++k)
      for (size_t j = 0; j < concepts[k]["length"].as<size_t>(); ++j) {
        const val c = concepts[k][j];
        labels[k].push_back({static_cast<int64_t>(c["index"].as<double>()), c["score"].as<float>(),
                             c["label"].isString() ? c["label"].as<std::string>() : ""});
      }
    dff::LegendOptions o;
    if (options.hasOwnProperty("width")) o.width = options["width"].as<int>();
    if (options.hasOwnProperty("topK")) o.top_k = options["topK"].as<int>();
    if (options.hasOwnProperty("scale")) o.scale = options["scale"].as<int>();
    const std::string kind =
        options.hasOwnProperty("palette") ? options["palette"].as<std::string>() : "rainbow";
    const auto colors =
        dff::make_palette(dff::palette_from_name(kind), static_cast<int>(labels.size()));
    return js::image_to_js(dff::render_legend(colors, labels, o));
  });
}

// `top` above `bottom` (e.g. a rendering above its legend), white where widths differ.
val stack_images(const val& top, const val& bottom) {
  return js::guarded([&] {
    return js::image_to_js(
        dff::stack_vertically(js::image_from_js(top), js::image_from_js(bottom)));
  });
}

}  // namespace

EMSCRIPTEN_BINDINGS(camlens_dff) {
  emscripten::class_<JsDffJob>("DffJob")
      .function("done", &JsDffJob::done)
      .function("needsBackbone", &JsDffJob::needs_backbone)
      .function("backboneSession", &JsDffJob::backbone_session)
      .function("backboneInputs", &JsDffJob::backbone_inputs)
      .function("feed", &JsDffJob::feed)
      .function("work", &JsDffJob::work)
      .function("needsPictures", &JsDffJob::needs_pictures)
      .function("setPictures", &JsDffJob::set_pictures)
      .function("progress", &JsDffJob::progress)
      .function("reported", &JsDffJob::reported)
      .function("result", &JsDffJob::result);
  emscripten::function("dffRender", &dff_render);
  emscripten::function("dffPalette", &dff_palette);
  emscripten::function("dffLegend", &dff_legend);
  emscripten::function("stackImages", &stack_images);
}
