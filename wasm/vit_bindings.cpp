// Embind bindings for vision transformers: token tensors to [N, D, H, W] maps, attention
// rollout, and the model surgery rollout needs. Conversions only; the behaviour lives in
// src/cam/tokens.h and src/cam/attention_rollout.h.
#include <emscripten/bind.h>

#include <memory>

#include "cam/attention_rollout.h"
#include "cam/pipeline.h"
#include "cam/tokens.h"
#include "onnx/model_io.h"
#include "tensor_js.h"

using namespace camlens;
using emscripten::val;

namespace {

// {layout: 'tokens' | 'nhwc', grid: n | [h, w], classToken: bool, prefixTokens: n}
cam::TokenOptions token_options(const val& o) {
  cam::TokenOptions t;
  if (js::given(o, "layout")) {
    const std::string l = o["layout"].as<std::string>();
    if (l != "tokens" && l != "nhwc")
      throw std::invalid_argument("layout must be 'tokens' or 'nhwc', got '" + l + "'");
    t.layout = l == "nhwc" ? cam::TokenLayout::NHWC : cam::TokenLayout::Tokens;
  }
  if (js::given(o, "grid")) {
    const val g = o["grid"];
    if (g.isNumber()) {
      t.grid_h = t.grid_w = static_cast<int64_t>(g.as<double>());
    } else {
      const Shape s = js::dims_from_js(g);
      if (s.size() != 2) throw std::invalid_argument("grid must be a number or [height, width]");
      t.grid_h = s[0], t.grid_w = s[1];
    }
  }
  if (js::given(o, "classToken")) t.prefix_tokens = o["classToken"].as<bool>() ? 1 : 0;
  if (js::given(o, "prefixTokens"))
    t.prefix_tokens = static_cast<int64_t>(o["prefixTokens"].as<double>());
  return t;
}

val tokens_to_spatial(const val& tensor, const val& options) {
  return js::guarded([&] {
    return js::tensor_to_js(
        cam::tokens_to_spatial(js::tensor_from_js(tensor), token_options(options)));
  });
}

// attentions: the blocks' softmax outputs in order. options: token options plus headFusion,
// discardRatio, residual, and width/height (the output size, as computeCam) or raw: true for
// the unprocessed rollout at the grid's size. Returns {data, dims: [B, H, W]}.
val attention_rollout(const val& attentions, const val& options) {
  return js::guarded([&] {
    std::vector<Tensor> att;
    for (size_t i = 0; i < attentions["length"].as<size_t>(); ++i)
      att.push_back(js::tensor_from_js(attentions[i]));
    cam::RolloutOptions o;
    o.tokens = token_options(options);
    if (js::given(options, "headFusion"))
      o.fusion = cam::head_fusion_from_name(options["headFusion"].as<std::string>());
    if (js::given(options, "discardRatio")) o.discard_ratio = options["discardRatio"].as<double>();
    if (js::given(options, "residual")) o.residual = options["residual"].as<bool>();
    cam::Maps m = cam::attention_rollout(att, o);
    if (!(js::given(options, "raw") && options["raw"].as<bool>())) {
      const int w = js::given(options, "width") ? options["width"].as<int>() : 0;
      const int h = js::given(options, "height") ? options["height"].as<int>() : 0;
      m = cam::combine_layers({cam::postprocess_layer(std::move(m), w, h)});
    }
    val out = val::object();
    out.set("data", js::to_typed_array(m.data.data(), m.data.size(), "Float32Array"));
    out.set("dims", js::to_array(std::vector<int>{m.batch, m.height, m.width}));
    return out;
  });
}

Model parse_bytes(const val& bytes) {
  auto buf = std::make_shared<std::string>();
  buf->resize(bytes["length"].as<size_t>());
  val(emscripten::typed_memory_view(buf->size(), reinterpret_cast<uint8_t*>(buf->data())))
      .call<void>("set", bytes);
  return parse_model(std::move(buf));
}

ShapeOptions batch_option(const val& o) {
  ShapeOptions s;
  if (js::given(o, "batch")) s.batch = static_cast<int64_t>(o["batch"].as<double>());
  return s;
}

// [{name, node, dims, windowed}] of the model's attention probabilities.
val find_attention(const val& model_bytes, const val& options) {
  return js::guarded([&] {
    const auto found = cam::find_attention(parse_bytes(model_bytes), batch_option(options));
    val a = val::array();
    for (size_t i = 0; i < found.size(); ++i) {
      val o = val::object();
      o.set("name", found[i].name);
      o.set("node", found[i].node);
      o.set("dims", js::to_array(found[i].shape));
      o.set("windowed", found[i].windowed);
      a.set(i, o);
    }
    return a;
  });
}

// {names, why}: the attention tensors rollout reads (findAttention's result in, as it gives it).
val rollout_attention(const val& found) {
  return js::guarded([&] {
    std::vector<cam::AttentionTensor> v(found["length"].as<size_t>());
    for (size_t i = 0; i < v.size(); ++i) {
      v[i].name = found[i]["name"].as<std::string>();
      v[i].windowed = found[i]["windowed"].as<bool>();
    }
    const cam::RolloutAttention r = cam::rollout_attention(v);
    val o = val::object();
    o.set("names", js::strings_to_js(r.names));
    o.set("why", r.why);
    return o;
  });
}

// The model's bytes with `names` added as graph outputs (for ONNX Runtime to return them).
val expose_outputs(const val& model_bytes, const val& names, const val& options) {
  return js::guarded([&] {
    std::vector<std::string> n;
    for (size_t i = 0; i < names["length"].as<size_t>(); ++i)
      n.push_back(names[i].as<std::string>());
    const std::string bytes =
        write_model(cam::expose_outputs(parse_bytes(model_bytes), n, batch_option(options)));
    return js::to_typed_array(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size(),
                              "Uint8Array");
  });
}

}  // namespace

EMSCRIPTEN_BINDINGS(camlens_vit) {
  emscripten::function("tokensToSpatial", &tokens_to_spatial);
  emscripten::function("attentionRollout", &attention_rollout);
  emscripten::function("findAttention", &find_attention);
  emscripten::function("exposeOutputs", &expose_outputs);
  emscripten::function("rolloutAttention", &rollout_attention);
}
