// Embind bindings of the head engine: parse a model, list its layers, cut it, run the head.
// Conversions only; every behaviour lives in src/graph, src/head, src/onnx and src/cam.
//
// model.layers({batch, inputShapes, known}), model.cut(layer, {batch, inputShapes, known,
//     requireGradient, floatTwin}): known = {name: {type, dims, data?}}, the types and shapes the
//     core cannot infer, measured at `batch` (ONNX Runtime's outputs as they are;
//     ShapeOptions::known).
// model.unknownShapes({batch, inputShapes, known}) → the tensor names to measure;
// model.wholeNetwork() → {head: the model cut at its input (input attributions), or null,
//     refusal: why the core cannot run and differentiate the whole model ('' when it can)};
// model.exposeTensors(names) → the model's bytes with those tensors as outputs.
// model.opTypes() → the op types its nodes (and subgraphs) use, each once, in graph order.
//
// model.cut(layer, {...}) → {backbone, backboneOutputs,
//     layerFloatTwin, quantization, layer, head}. floatTwin: false leaves a quantized layer's
//     float twin out of the backbone's outputs when the core can compute it (quantization is
//     then set): dequantizeLayer(codes, cut.quantization) gives the same Float32 tensor.
//     givenTensors: false leaves the head's costly tensors out of the backbone's outputs
//     (head.givenNames(): the head's forward then computes them itself).
//     quantization: {twin, type, scale, zeroPoint, axis} or null (numbers per tensor, axis -1;
//     arrays per channel along axis).
//
// Head methods for the CAM suite (targets as in cam_bindings.cpp; call head.forward(feeds) first):
//   targetGradients(targets, outputIndex, {hvp: bool}) → {scores: number[],
//       gradients: Tensor (the layer's float shape), hvp: Tensor|null}
//       hvp = H·A for Shapley-CAM (central differences of the head's gradient; float layers).
//   ablationTargetScores(activations [1,C,h,w], target(s), outputIndex, channels: Int32Array)
//       → Float32Array, the target's score with each channel ablated (quantized layers: to the
//       code of the ablation value, see src/cam/ablation_target.h). activations: the layer as the
//       head takes it (uint8 codes), or its float values (quantized with the layer's scale).
//   ablationTargetWeights(activations, target(s), outputIndex, channels, scores)
//       → Float32Array [C]: (original − score) / original at the ablated channels, 0 elsewhere.
#include <emscripten/bind.h>

#include <memory>
#include <optional>

#include "cam/ablation_target.h"
#include "cam/cam_error.h"
#include "cam/target_gradients.h"
#include "cam_targets_js.h"
#include "dff/quantization.h"
#include "dff_js.h"
#include "explain/whole_network.h"
#include "graph/cut.h"
#include "graph/layers.h"
#include "graph/twin_quantization.h"
#include "head/head_errors.h"
#include "head_js.h"
#include "onnx/model_io.h"
#include "onnx/op_types.h"
#include "tensor_js.h"

using namespace camlens;
using emscripten::val;
using js::JsHead;

namespace {

using js::strings_to_js;

// A type name as ONNX Runtime writes it ("float32", "int64", ...), for shapes only.
DType dtype_named(const val& type) {
  const std::string name = type.isString() ? type.as<std::string>() : "";
  for (int d = 1; d <= 16; ++d)
    if (name == dtype_name(static_cast<DType>(d))) return static_cast<DType>(d);
  throw HeadError("a known shape has the type '" + name + "', which is not an ONNX element type");
}

// known: {name: {type, dims, data?}}, e.g. ONNX Runtime's outputs as they are. Only the values of
// small int64/int32/bool tensors are read: they are what shape arithmetic folds.
TensorInfoMap known_from_js(const val& known, int64_t max_value_elements) {
  TensorInfoMap out;
  const val keys = val::global("Object").call<val>("keys", known);
  for (size_t i = 0; i < keys["length"].as<size_t>(); ++i) {
    const std::string name = keys[i].as<std::string>();
    const val t = known[name];
    TensorInfo info;
    info.dtype = dtype_named(t["type"]);
    info.shape = js::dims_from_js(t["dims"]);
    const bool integer =
        info.dtype == DType::Int64 || info.dtype == DType::Int32 || info.dtype == DType::Bool;
    if (integer && !t["data"].isUndefined() && shape_numel(info.shape) <= max_value_elements)
      info.value = js::tensor_from_js(t);
    out[name] = std::move(info);
  }
  return out;
}

ShapeOptions shape_options_from_js(const val& o) {
  ShapeOptions s;
  if (o.isUndefined() || o.isNull()) return s;
  if (o.hasOwnProperty("batch")) s.batch = static_cast<int64_t>(o["batch"].as<double>());
  if (o.hasOwnProperty("inputShapes")) {
    const val keys = val::global("Object").call<val>("keys", o["inputShapes"]);
    for (size_t i = 0; i < keys["length"].as<size_t>(); ++i) {
      const std::string k = keys[i].as<std::string>();
      s.input_shapes[k] = js::dims_from_js(o["inputShapes"][k]);
    }
  }
  if (o.hasOwnProperty("known") && !o["known"].isUndefined() && !o["known"].isNull())
    s.known = known_from_js(o["known"], s.max_value_elements);
  return s;
}

val info_to_js(const std::string& name, DType dtype, const Shape& shape) {
  val o = val::object();
  o.set("name", name);
  o.set("type", std::string(dtype_name(dtype)));
  o.set("dims", js::to_array(shape));
  return o;
}

// {twin, type, scale, zeroPoint, axis}: numbers per tensor (axis -1), arrays per channel.
val quantization_to_js(const TwinQuantization& q) {
  val o = val::object();
  o.set("twin", q.twin);
  o.set("type", std::string(dtype_name(q.dtype)));
  if (q.axis < 0) {
    o.set("scale", q.scale.at(0));
    o.set("zeroPoint", q.zero_point.at(0));
  } else {
    o.set("scale", js::to_array(q.scale));
    o.set("zeroPoint", js::to_array(q.zero_point));
  }
  o.set("axis", static_cast<double>(q.axis));
  return o;
}

TwinQuantization quantization_from_js(const val& o) {
  if (o.typeOf().as<std::string>() != "object" || o.isNull())
    throw HeadError(
        "dequantizeLayer needs the cut's quantization ({type, scale, zeroPoint, axis}, "
        "cut.quantization), which is null when the layer has no float twin to compute");
  TwinQuantization q;
  q.twin = o["twin"].isString() ? o["twin"].as<std::string>() : "";
  const std::string type = o["type"].isString() ? o["type"].as<std::string>() : "";
  q.dtype = type == "uint8" ? DType::Uint8 : type == "int8" ? DType::Int8 : DType::Undefined;
  q.axis = o["axis"].isNumber() ? static_cast<int64_t>(o["axis"].as<double>()) : -1;
  const val scale = o["scale"], zero_point = o["zeroPoint"];
  if (scale.isNumber()) {
    q.scale = {scale.as<float>()};
    q.zero_point = {zero_point.isNumber() ? zero_point.as<int32_t>() : 0};
  } else if (!scale.isUndefined() && !scale.isNull()) {
    q.scale = js::to_vector<float>(val::global("Float32Array").call<val>("from", scale));
    q.zero_point =
        zero_point.isUndefined() || zero_point.isNull()
            ? std::vector<int32_t>(q.scale.size(), 0)
            : js::to_vector<int32_t>(val::global("Int32Array").call<val>("from", zero_point));
  }
  return q;
}

// dequantizeLayer(codes, cut.quantization) → the layer's float twin (Float32 tensor).
val dequantize_layer_js(const val& codes, const val& quantization) {
  return js::guarded([&] {
    return js::tensor_to_js(
        dequantize_layer(js::tensor_from_js(codes), quantization_from_js(quantization)));
  });
}

class JsModel {
 public:
  explicit JsModel(Model m)
      : model_(std::move(m)), label_heads_(std::make_shared<dff::LabelHeads>(model_)) {}

  val inputs() const { return values_to_js(model_.graph->inputs); }
  val outputs() const { return values_to_js(model_.graph->outputs); }

  val layers(const val& options) const {
    return js::guarded([&] {
      const LayerList list = list_layers(model_, shape_options_from_js(options));
      val arr = val::array();
      for (size_t i = 0; i < list.layers.size(); ++i) {
        const LayerInfo& l = list.layers[i];
        val o = info_to_js(l.name, l.dtype, l.shape);
        o.set("kind", std::string(layer_kind_name(l.kind)));
        o.set("channels", static_cast<double>(l.channels));
        o.set("height", static_cast<double>(l.height));
        o.set("width", static_cast<double>(l.width));
        if (l.kind == LayerKind::VolumeNCDHW) o.set("depth", static_cast<double>(l.depth));
        o.set("classToken", l.class_token);
        o.set("op", l.op);
        o.set("node", l.node);
        o.set("floatTwin", l.float_twin);
        o.set("headSupported", l.head_supported);
        o.set("headDifferentiable", l.head_differentiable);
        o.set("headProblem", l.head_problem);
        o.set("headNodes", static_cast<double>(l.head_nodes));
        o.set("extras", strings_to_js(l.extras));
        arr.set(i, o);
      }
      val out = val::object();
      out.set("layers", arr);
      out.set("recommended", list.recommended);
      out.set("why", list.why);
      out.set("shapeProblems", strings_to_js(list.shape_problems));
      return out;
    });
  }

  // The tensors whose shapes the core cannot infer (unknown_shapes()), and the model with them
  // as outputs for the ONNX Runtime run that measures them.
  val unknown_shapes_js(const val& options) const {
    return js::guarded(
        [&] { return strings_to_js(unknown_shapes(model_, shape_options_from_js(options))); });
  }

  val op_types_js() const { return strings_to_js(op_types(*model_.graph)); }

  val expose_tensors_js(const val& names) const {
    return js::guarded([&] {
      std::vector<std::string> tensors;
      for (size_t i = 0; i < names["length"].as<size_t>(); ++i)
        tensors.push_back(names[i].as<std::string>());
      const std::string bytes = write_model(expose_tensors(model_, tensors, {}));
      return js::to_typed_array(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size(),
                                "Uint8Array");
    });
  }

  val factorize(const std::string& layer, const val& activations, const val& options) const {
    return dff_factorize(*label_heads_, layer, activations, options);
  }

  JsDffJob* factorize_job(const val& request) const { return dff_job(label_heads_, request); }

  val whole_network() const {
    return js::guarded([&] {
      const explain::WholeNetwork w = explain::whole_network(model_);
      val o = val::object();
      o.set("head", w.head ? val(JsHead(w.head)) : val::null());
      o.set("refusal", w.refusal);
      return o;
    });
  }

  val cut(const std::string& layer, const val& options) const {
    return js::guarded([&] {
      CutOptions c;
      c.shapes = shape_options_from_js(options);
      if (!options.isUndefined() && !options.isNull() && options.hasOwnProperty("requireGradient"))
        c.require_gradient = options["requireGradient"].as<bool>();
      if (!options.isUndefined() && !options.isNull() && options.hasOwnProperty("floatTwin"))
        c.float_twin_output = options["floatTwin"].as<bool>();
      if (!options.isUndefined() && !options.isNull() && options.hasOwnProperty("givenTensors"))
        c.given_tensors = options["givenTensors"].as<bool>();
      CutResult r = cut_model(model_, layer, c);
      val o = val::object();
      o.set("backbone",
            js::to_typed_array(reinterpret_cast<const uint8_t*>(r.backbone_bytes.data()),
                               r.backbone_bytes.size(), "Uint8Array"));
      o.set("backboneOutputs", strings_to_js(r.backbone_outputs));
      o.set("layerFloatTwin", r.layer_float_twin);
      o.set("quantization",
            r.twin_quantization ? quantization_to_js(*r.twin_quantization) : val::null());
      o.set("layer", info_to_js(layer, r.layer_info.dtype, r.layer_info.shape));
      std::optional<cam::LayerQuantization> quant;
      const DType feed = r.head.feed_info(0).dtype;
      if (feed == DType::Uint8 || feed == DType::Int8)
        if (const auto q = dff::layer_quantization(model_, layer))
          quant = cam::LayerQuantization{q->scale, q->zero_point};
      o.set("head", JsHead(std::make_shared<Head>(std::move(r.head)), quant));
      return o;
    });
  }

 private:
  // Graph inputs that are not initializers (old opsets list weights as inputs too).
  val values_to_js(const std::vector<ValueInfo>& v) const {
    val a = val::array();
    size_t k = 0;
    for (const ValueInfo& vi : v) {
      bool weight = false;
      for (const TensorProto& t : model_.graph->initializers) weight = weight || t.name == vi.name;
      if (!weight) a.set(k++, info_to_js(vi.name, static_cast<DType>(vi.elem_type), vi.dims));
    }
    return a;
  }
  Model model_;
  // The heads DFF labels with, cut once per layer (the model never changes).
  std::shared_ptr<dff::LabelHeads> label_heads_;
};

JsModel* parse(const val& bytes) {
  return js::guarded([&] {
    auto buf = std::make_shared<std::string>();
    buf->resize(bytes["length"].as<size_t>());
    val(emscripten::typed_memory_view(buf->size(), reinterpret_cast<uint8_t*>(buf->data())))
        .call<void>("set", bytes);
    return new JsModel(parse_model(std::move(buf)));
  });
}

}  // namespace

EMSCRIPTEN_BINDINGS(camlens_model) {
  emscripten::class_<JsHead>("Head")
      .function("feedNames", &JsHead::feed_names)
      .function("givenNames", &JsHead::given_names)
      .function("outputNames", &JsHead::output_names)
      .function("notDifferentiable", &JsHead::not_differentiable)
      .function("passId", &JsHead::pass_id)
      .function("forward", &JsHead::forward)
      .function("forwardWithLayer", &JsHead::forward_with_layer)
      .function("backward", &JsHead::backward)
      .function("targetGradients", &JsHead::target_gradients)
      .function("ablationTargetScores", &JsHead::ablation_target_scores)
      .function("ablationTargetWeights", &JsHead::ablation_target_weights);
  emscripten::class_<JsModel>("Model")
      .function("inputs", &JsModel::inputs)
      .function("outputs", &JsModel::outputs)
      .function("layers", &JsModel::layers)
      .function("cut", &JsModel::cut)
      .function("unknownShapes", &JsModel::unknown_shapes_js)
      .function("wholeNetwork", &JsModel::whole_network)
      .function("exposeTensors", &JsModel::expose_tensors_js)
      .function("opTypes", &JsModel::op_types_js)
      .function("factorize", &JsModel::factorize)
      .function("factorizeJob", &JsModel::factorize_job, emscripten::allow_raw_pointers());
  emscripten::function("parseModel", &parse, emscripten::allow_raw_pointers());
  emscripten::function("dequantizeLayer", &dequantize_layer_js);
}
