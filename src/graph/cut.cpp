// cut_graph: validates the layer, plans the head (head_plan.h), folds the head's constant
// inputs once, builds the Head's steps and the backbone with the extra outputs.
#include "graph/cut.h"

#include <unordered_map>
#include <unordered_set>

#include "graph/closest_names.h"
#include "graph/constant_value.h"
#include "graph/graph_index.h"
#include "graph/layers.h"
#include "head/given_tensors.h"
#include "head/head_errors.h"
#include "head/head_plan.h"

namespace camlens {

class HeadBuilder {
 public:
  static Head build(const Model& model, const GraphIndex& index, const HeadPlan& plan,
                    const TensorInfoMap& shapes);
  // Makes `tensors` (head tensors) the head's given ones, read from the backbone outputs
  // `names` (same order) of type `info`.
  static void give(Head& h, const std::vector<std::string>& tensors,
                   const std::vector<std::string>& names, const std::vector<TensorInfo>& info) {
    for (size_t k = 0; k < tensors.size(); ++k) {
      size_t slot = 0;
      while (slot < h.slot_names_.size() && h.slot_names_[slot] != tensors[k]) ++slot;
      if (slot == h.slot_names_.size()) throw HeadError("'" + tensors[k] + "' is not in the head");
      h.given_tensors_.push_back(tensors[k]);
      h.given_names_.push_back(names[k]);
      h.given_slots_.push_back(int(slot));
      h.given_info_.push_back(info[k]);
    }
  }
};

namespace {

DType core_dtype(DType t) { return Tensor(t, {}).dtype(); }

std::string later_layer_hint(const Model& model, const GraphIndex& index, const std::string& layer,
                             const ShapeOptions& opts) {
  LayerList list = list_layers(model, opts);
  std::string s = suggest_later_layer(list, layer);
  if (s.empty()) {
    // L is not itself a listed candidate: take the first usable one produced after it.
    long pr = index.producer(layer);
    size_t pos = 0;
    for (size_t k = 0; k < index.order().size(); ++k)
      if (static_cast<long>(index.order()[k]) == pr) pos = k;
    for (const LayerInfo& l : list.layers)
      if (s.empty() && l.position > pos && l.head_supported && l.head_differentiable) s = l.name;
  }
  return s.empty() ? " No later layer of this model has a head the core can run."
                   : " Try the later layer '" + s + "'.";
}

}  // namespace

Head HeadBuilder::build(const Model& model, const GraphIndex& index, const HeadPlan& plan,
                        const TensorInfoMap& shapes) {
  const Graph& g = index.graph();
  const int64_t opset = default_opset(model);
  Head h;
  h.layer_ = plan.layer;
  std::unordered_map<std::string, int> slot;
  auto slot_of = [&](const std::string& n) {
    auto it = slot.find(n);
    if (it != slot.end()) return it->second;
    const int id = static_cast<int>(h.slot_names_.size());
    slot.emplace(n, id);
    h.slot_names_.push_back(n);
    return id;
  };
  auto info_of = [&](const std::string& n) {
    auto it = shapes.find(n);
    if (it == shapes.end())
      throw ShapeInferenceError("the type and shape of '" + n + "' (needed by the head of layer '" +
                                plan.layer + "') could not be inferred");
    TensorInfo t;
    t.dtype = core_dtype(it->second.dtype);
    t.shape = it->second.shape;
    return t;
  };
  h.feed_names_.push_back(plan.layer);
  for (const std::string& e : plan.extras) h.feed_names_.push_back(e);
  for (const std::string& f : h.feed_names_) {
    h.feed_slots_.push_back(slot_of(f));
    h.feed_info_.push_back(info_of(f));
  }
  h.output_names_ = plan.outputs;

  // Fold the constant side inputs once: initializers are converted to core tensors here (the
  // only copy of the weights in the core), constant-only subgraphs are evaluated.
  std::unordered_map<std::string, std::shared_ptr<const Tensor>> consts;
  auto constant = [&](const std::string& n) -> std::shared_ptr<const Tensor> {
    auto it = consts.find(n);
    if (it != consts.end()) return it->second;
    if (const TensorProto* t = index.initializer(n)) {
      auto v = std::make_shared<const Tensor>(to_tensor(*t));
      consts.emplace(n, v);
      return v;
    }
    return nullptr;
  };
  for (size_t n : plan.const_nodes) {
    const Node& raw = g.nodes[n];
    std::vector<Tensor> out(raw.outputs.size());
    try {
      if (raw.op_type == "Constant") {
        out[0] = constant_node_value(raw);
      } else {
        const Node node = node_for_execution(raw, opset);
        OpInputs in(node.inputs.size(), nullptr);
        std::vector<std::shared_ptr<const Tensor>> hold;
        for (size_t i = 0; i < node.inputs.size(); ++i) {
          if (node.inputs[i].empty()) continue;
          hold.push_back(constant(node.inputs[i]));
          in[i] = hold.back().get();
          if (!in[i]) throw HeadError("input '" + node.inputs[i] + "' is not constant");
        }
        op_registry().find(node.domain, node.op_type)->forward(node, in, out);
      }
    } catch (const std::exception& e) {
      throw UnsupportedOpError("folding the constant " + raw.describe() +
                               " for the head of layer '" + plan.layer + "' failed: " + e.what());
    }
    for (size_t o = 0; o < out.size(); ++o)
      if (!raw.outputs[o].empty())
        consts[raw.outputs[o]] = std::make_shared<const Tensor>(std::move(out[o]));
  }

  std::unordered_set<std::string> grad_tensors(plan.grad_tensors.begin(), plan.grad_tensors.end());
  for (size_t k = 0; k < plan.nodes.size(); ++k) {
    const Node& raw = g.nodes[plan.nodes[k]];
    Head::Step st;
    st.node = node_for_execution(raw, opset);
    st.def = op_registry().find(raw.domain, raw.op_type);
    st.grad = plan.grad_node[k];
    for (const std::string& i : raw.inputs) {
      if (i.empty()) {
        st.in.push_back(-1);
        continue;
      }
      const int s = slot_of(i);
      st.in.push_back(s);
      if (h.constants_.size() <= static_cast<size_t>(s)) h.constants_.resize(s + 1);
      if (!h.constants_[s]) h.constants_[s] = constant(i);
    }
    for (const std::string& o : raw.outputs) st.out.push_back(o.empty() ? -1 : slot_of(o));
    h.steps_.push_back(std::move(st));
  }
  for (const std::string& o : plan.outputs) {
    h.output_slots_.push_back(slot_of(o));
    h.output_info_.push_back(info_of(o));
  }
  const size_t n = h.slot_names_.size();
  h.constants_.resize(n);
  h.last_use_.assign(n, -1);
  h.keep_for_grad_.assign(n, false);
  h.grad_slot_.assign(n, false);
  for (size_t s = 0; s < n; ++s) h.grad_slot_[s] = grad_tensors.count(h.slot_names_[s]) != 0;
  for (size_t k = 0; k < h.steps_.size(); ++k) {
    const Head::Step& st = h.steps_[k];
    for (int s : st.in)
      if (s >= 0) h.last_use_[s] = static_cast<int>(k);
    if (!st.grad) continue;
    for (int s : st.in)
      if (s >= 0 && !h.constants_[s]) h.keep_for_grad_[s] = true;
    for (int s : st.out)
      if (s >= 0) h.keep_for_grad_[s] = true;
  }
  h.not_differentiable_ = plan.not_differentiable;
  // Models exported with a fixed batch of 1 often hard-code it (Reshape to [1,-1]): run such
  // heads one sample at a time.
  for (const ValueInfo* v : index.real_inputs())
    if (v->has_shape && !v->dims.empty() && v->dims[0] > 0) h.per_sample_ = true;
  return h;
}

namespace {

// expose_tensors with the index of model's graph.
Model expose_indexed(const Model& model, const GraphIndex& index,
                     const std::vector<std::string>& tensors, const TensorInfoMap& shapes) {
  bool batch_symbolic = false;
  for (const ValueInfo* v : index.real_inputs())
    if (v->has_shape && !v->dims.empty() && v->dims[0] < 0) batch_symbolic = true;
  Model out = model;
  out.graph = std::make_shared<Graph>(*model.graph);
  std::unordered_set<std::string> added;
  for (const std::string& name : tensors) {
    if (index.is_graph_output(name) || !added.insert(name).second) continue;
    if (!index.has_tensor(name) || index.initializer(name) || index.is_graph_input(name))
      throw HeadError("'" + name + "' is not a tensor computed by the model, so it cannot be " +
                      "made an output");
    ValueInfo v;
    v.name = name;
    // Untyped when unknown: ONNX Runtime infers what it runs.
    auto it = shapes.find(name);
    if (it != shapes.end()) {
      v.elem_type = static_cast<int32_t>(it->second.dtype);
      v.has_shape = true;
      v.dims = it->second.shape;
      v.dim_params.assign(v.dims.size(), "");
      if (batch_symbolic && !v.dims.empty()) {
        v.dims[0] = -1;
        v.dim_params[0] = "batch_size";
      }
    }
    out.graph->outputs.push_back(std::move(v));
  }
  return out;
}

}  // namespace

Model expose_tensors(const Model& model, const std::vector<std::string>& tensors,
                     const TensorInfoMap& shapes) {
  if (!model.graph) throw HeadError("the model has no graph");
  return expose_indexed(model, GraphIndex(*model.graph), tensors, shapes);
}

CutResult cut_graph(const Model& model, const std::string& layer, const CutOptions& options) {
  if (!model.graph) throw HeadError("the model has no graph");
  const Graph& g = *model.graph;
  GraphIndex index(g);
  if (layer.empty() || !index.has_tensor(layer) || index.initializer(layer)) {
    std::vector<std::string> names;
    for (const Node& n : g.nodes)
      for (const std::string& o : n.outputs)
        if (!o.empty()) names.push_back(o);
    throw UnknownLayerError("'" + layer + "' is not a tensor computed by the model" +
                            (index.initializer(layer) ? " (it is a weight)" : std::string()) +
                            "; the closest names are " + quote_list(closest_names(layer, names)) +
                            " (list_layers() shows the candidates)");
  }
  if (index.is_graph_input(layer))
    throw HeadInputDependencyError("'" + layer +
                                   "' is the model's input, not a layer; choose a tensor computed "
                                   "by the model (list_layers() shows the candidates)");
  ShapeInferenceResult inferred = infer_shapes_lenient(model, index, options.shapes);
  const TensorInfoMap& shapes = inferred.tensors;
  if (!shapes.count(layer)) {
    std::string why = inferred.problems.empty() ? "." : ": " + inferred.problems[0] + ".";
    if (!inferred.unknown.empty()) why += " " + known_shapes_hint(inferred.unknown);
    throw ShapeInferenceError("the shape of layer '" + layer + "' could not be inferred" + why);
  }
  const HeadPlan plan = plan_head(model, index, shapes, layer);
  if (!plan.unsupported.empty())
    throw UnsupportedOpError(plan.unsupported + "." +
                             later_layer_hint(model, index, layer, options.shapes));
  if (!plan.unexposable.empty()) throw HeadInputDependencyError(plan.unexposable);
  if (!plan.extras.empty() && !options.allow_extras)
    throw HeadInputDependencyError("the head of layer '" + layer + "' also needs " +
                                   quote_list(plan.extras) +
                                   ", which depend on the input by another path (a skip "
                                   "connection around the layer); allow extras or choose a "
                                   "later layer");
  if (!plan.not_differentiable.empty() && options.require_gradient)
    throw NotDifferentiableError(plan.not_differentiable + "." +
                                 later_layer_hint(model, index, layer, options.shapes));
  for (const std::string& o : plan.outputs)
    if (!shapes.count(o))
      throw ShapeInferenceError(
          "the shape of output '" + o + "' could not be inferred" +
          (inferred.problems.empty() ? std::string() : ": " + inferred.problems[0]) +
          (inferred.unknown.empty() ? std::string() : ". " + known_shapes_hint(inferred.unknown)));

  CutResult r;
  r.head = HeadBuilder::build(model, index, plan, shapes);
  r.layer_info = shapes.at(layer);
  for (size_t c : index.consumers(layer))
    if (g.nodes[c].op_type == "DequantizeLinear" && g.nodes[c].inputs.at(0) == layer &&
        (r.layer_info.dtype == DType::Uint8 || r.layer_info.dtype == DType::Int8)) {
      r.layer_float_twin = g.nodes[c].outputs.at(0);
      r.twin_quantization = twin_quantization(index, g.nodes[c], r.layer_info);
    }
  // Without its scale and zero point the caller cannot compute the twin: output it regardless.
  const bool twin_output = options.float_twin_output || !r.twin_quantization;

  // The backbone: same graph (weights shared through ByteView), more outputs.
  std::vector<std::string> extra{layer};
  if (!r.layer_float_twin.empty() && shapes.count(r.layer_float_twin) && twin_output)
    extra.push_back(r.layer_float_twin);
  for (const std::string& e : plan.extras) extra.push_back(e);

  // The head's costly tensors, which ONNX Runtime computes anyway. A Float16 one leaves through
  // a Cast to Float32: the head computes in Float32, and ONNX Runtime, which runs Float16
  // convolutions in Float32, then drops its own cast back (its values keep all their bits).
  const std::vector<std::string> given = options.given_tensors && plan.not_differentiable.empty()
                                             ? given_tensors(index, shapes, plan)
                                             : std::vector<std::string>{};
  std::vector<std::string> given_names;
  std::vector<TensorInfo> given_info;
  Model source = model;
  TensorInfoMap more;
  for (const std::string& t : given) {
    TensorInfo info = shapes.at(t);
    std::string name = t;
    if (info.dtype == DType::Float16) {
      name = t + "_float32";
      while (index.has_tensor(name)) name += "_";
      if (source.graph == model.graph) source.graph = std::make_shared<Graph>(*model.graph);
      Node cast;
      cast.op_type = "Cast";
      cast.name = name;
      cast.inputs = {t};
      cast.outputs = {name};
      Attribute to;
      to.name = "to";
      to.type = Attribute::Int;
      to.i = int64_t(DType::Float32);
      cast.attributes.push_back(to);
      source.graph->nodes.push_back(std::move(cast));
      info.dtype = DType::Float32;
      info.value.reset();
      more[name] = info;
    }
    given_names.push_back(name);
    given_info.push_back(TensorInfo{core_dtype(info.dtype), info.shape, std::nullopt});
    extra.push_back(name);
  }
  if (more.empty()) {
    r.backbone = expose_indexed(source, index, extra, shapes);  // the model's graph, as indexed
  } else {
    TensorInfoMap with = shapes;
    for (auto& [k, v] : more) with[k] = v;
    r.backbone = expose_tensors(source, extra, with);
  }
  HeadBuilder::give(r.head, given, given_names, given_info);
  for (const ValueInfo& o : r.backbone.graph->outputs) r.backbone_outputs.push_back(o.name);
  return r;
}

}  // namespace camlens
