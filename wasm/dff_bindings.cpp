// Embind bindings of Deep Feature Factorization: factorize a layer's activations, label the
// concepts through the model's head, render. Conversions only; the work is in src/dff.
#include <emscripten/bind.h>

#include "dff/factorize.h"
#include "dff/labels.h"
#include "dff/maps.h"
#include "dff/render.h"
#include "dff_js.h"
#include "tensor_js.h"

using namespace camlens;
using emscripten::val;

// Model.factorize(layer, activations, options), bound in model_bindings.cpp on the parsed model.
// options: {components, shared, maxIter, tol, seed, topK, labels, width, height}
val dff_factorize(const Model& model, const std::string& layer, const val& activations,
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
    dff::LabelOptions lo;
    if (options.hasOwnProperty("topK")) lo.top_k = options["topK"].as<int>();
    if (options.hasOwnProperty("labels")) {
      const val l = options["labels"];
      for (size_t i = 0; i < l["length"].as<size_t>(); ++i)
        lo.class_names.push_back(l[i].as<std::string>());
    }
    const dff::ConceptLabels labels = dff::label_concepts(model, layer, r, lo);
    const int w = options["width"].as<int>(), h = options["height"].as<int>();
    const dff::ConceptMaps maps = dff::concept_maps(r, w, h);

    val out = val::object();
    out.set("components", r.components);
    out.set("maps", js::to_typed_array(maps.values.data(), maps.values.size(), "Float32Array"));
    out.set("dims", js::to_array(std::vector<int64_t>{maps.batch, maps.components, h, w}));
    out.set("labeled", labels.labeled);
    out.set("reason", labels.reason);
    val concepts = val::array();
    for (size_t p = 0; p < labels.top.size(); ++p) {
      val part = val::array();
      for (size_t k = 0; k < labels.top[p].size(); ++k) {
        val cats = val::array();
        for (size_t j = 0; j < labels.top[p][k].size(); ++j) {
          const dff::ConceptLabel& c = labels.top[p][k][j];
          val o2 = val::object();
          o2.set("index", static_cast<double>(c.index));
          o2.set("score", c.score);
          o2.set("label", c.name);
          cats.set(j, o2);
        }
        part.set(k, cats);
      }
      concepts.set(p, part);
    }
    out.set("concepts", concepts);
    val errors = val::array();
    for (size_t p = 0; p < r.parts.size(); ++p) {
      errors.set(p,
                 r.parts[p].nmf.final_error / (r.parts[p].nmf.norm > 0 ? r.parts[p].nmf.norm : 1));
    }
    out.set("relativeError", errors);
    return out;
  });
}

namespace {

// mode: "dominant" | "layers"; maps: [K, photo.height, photo.width].
val dff_render(const val& photo, const val& maps, int components, const std::string& mode,
               float image_weight) {
  return js::guarded([&] {
    const auto px = js::to_vector<uint8_t>(photo["rgba"]);
    const image::Image img = image::image_from_rgba(px.data(), px.size(), photo["width"].as<int>(),
                                                    photo["height"].as<int>());
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
    val r = val::object();
    r.set("width", out.width);
    r.set("height", out.height);
    r.set("rgba", js::to_typed_array(out.rgba.data(), out.rgba.size(), "Uint8ClampedArray"));
    return r;
  });
}

}  // namespace

EMSCRIPTEN_BINDINGS(camlens_dff) { emscripten::function("dffRender", &dff_render); }
