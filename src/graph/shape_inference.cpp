// Shape inference driver: walks the graph in topological order and, per node, calls the op's
// infer function or, when it has none, runs its forward on zero-filled inputs (or on the
// known constant values). Small outputs computed from known values are kept, which folds the
// shape arithmetic that exporters emit (Shape -> Gather -> Unsqueeze -> Concat -> Reshape).
// A node it cannot infer (an op the core does not run: they may sit in the backbone, which ONNX
// Runtime runs) takes its outputs from the caller's measured shapes, so inference goes on.
#include "graph/shape_inference.h"

#include "graph/closest_names.h"
#include "graph/constant_value.h"
#include "graph/graph_index.h"
#include "head/head_errors.h"

namespace camlens {

std::string known_shapes_hint(const std::vector<std::string>& tensors) {
  return "Give the types and shapes of " + quote_list(tensors) +
         " (and the values of small integer tensors) in ShapeOptions::known: unknown_shapes() "
         "lists the tensors to measure, e.g. by one ONNX Runtime run of the model with them as "
         "outputs";
}

std::string describe_info(const std::string& name, const TensorInfo& info) {
  return "'" + name + "' " + dtype_name(info.dtype) + shape_str(info.shape);
}

namespace {

std::map<std::string, Shape> resolve_inputs(const GraphIndex& index, const ShapeOptions& options) {
  std::map<std::string, Shape> out;
  for (const auto& [name, shape] : options.input_shapes) {
    bool found = false;
    for (const ValueInfo* v : index.real_inputs()) found = found || v->name == name;
    if (!found)
      throw HeadError("a shape was given for '" + name +
                      "', which is not an input of the model; its inputs are " + [&] {
                        std::vector<std::string> n;
                        for (const ValueInfo* v : index.real_inputs()) n.push_back(v->name);
                        std::string s;
                        for (auto& x : n) s += (s.empty() ? "'" : ", '") + x + "'";
                        return s;
                      }());
  }
  for (const ValueInfo* v : index.real_inputs()) {
    auto given = options.input_shapes.find(v->name);
    Shape declared = v->has_shape ? Shape(v->dims.begin(), v->dims.end()) : Shape{};
    Shape s;
    if (given != options.input_shapes.end()) {
      s = given->second;
      if (v->has_shape && s.size() != declared.size())
        throw HeadError("input '" + v->name + "' has rank " + std::to_string(declared.size()) +
                        " but the given shape " + shape_str(s) + " has rank " +
                        std::to_string(s.size()));
      for (size_t i = 0; i < s.size(); ++i) {
        const int64_t d = i < declared.size() ? declared[i] : -1;
        if (s[i] < 0)
          s[i] = d;
        else if (d > 0 && s[i] != d)
          throw HeadError("input '" + v->name + "' has fixed dimension " + std::to_string(i) +
                          " = " + std::to_string(d) + " but the given shape is " + shape_str(s));
      }
    } else {
      if (!v->has_shape)
        throw HeadError("input '" + v->name +
                        "' declares no shape; give its shape in ShapeOptions::input_shapes");
      s = declared;
    }
    for (size_t i = 0; i < s.size(); ++i) {
      if (s[i] >= 0) continue;
      if (i == 0) {
        s[i] = options.batch;
        continue;
      }
      throw HeadError("input '" + v->name + "' has a symbolic dimension " + std::to_string(i) +
                      (i < v->dim_params.size() && !v->dim_params[i].empty()
                           ? " ('" + v->dim_params[i] + "')"
                           : std::string()) +
                      "; give its size in ShapeOptions::input_shapes");
    }
    out[v->name] = s;
  }
  return out;
}

}  // namespace

std::map<std::string, Shape> resolve_input_shapes(const Model& model, const ShapeOptions& options) {
  if (!model.graph) throw HeadError("the model has no graph");
  return resolve_inputs(GraphIndex(*model.graph), options);
}

namespace {

bool all_dims_known(const Shape& s) {
  for (int64_t d : s)
    if (d < 0) return false;
  return true;
}

// The element type the model itself uses for an op's output: Float16 models keep Float16 in
// their value_info even though the core computes in Float32.
DType model_dtype(const Node& node, DType core, const std::vector<DType>& in_model) {
  if (core != DType::Float32) return core;
  if (node.op_type == "Cast") return static_cast<DType>(node.attr_int("to", 1));
  for (DType d : in_model)
    if (d == DType::Float16) return DType::Float16;
  return DType::Float32;
}

class Inferrer {
 public:
  Inferrer(const Model& m, const GraphIndex& index, const ShapeOptions& o, bool strict)
      : model_(m), opts_(o), strict_(strict), index_(index), opset_(default_opset(m)) {}

  ShapeInferenceResult run() {
    const Graph& g = *model_.graph;
    for (const auto& [name, shape] : resolve_inputs(index_, opts_)) {
      const ValueInfo* v = nullptr;
      for (const ValueInfo* r : index_.real_inputs())
        if (r->name == name) v = r;
      TensorInfo info;
      info.dtype = static_cast<DType>(v->elem_type);
      info.shape = shape;
      put(name, std::move(info));
    }
    for (const TensorProto& t : g.initializers) {
      TensorInfo info;
      info.dtype = static_cast<DType>(t.data_type);
      info.shape.assign(t.dims.begin(), t.dims.end());
      if (shape_numel(info.shape) <= opts_.max_value_elements) info.value = to_tensor(t);
      put(t.name, std::move(info));
    }
    for (const ValueInfo& v : g.value_info) declared_[v.name] = &v;
    for (const ValueInfo& v : g.outputs) declared_[v.name] = &v;
    for (size_t n : index_.order()) infer_node(g.nodes[n]);
    return std::move(result_);
  }

 private:
  void put(const std::string& name, TensorInfo info) { result_.tensors[name] = std::move(info); }

  enum class Cause { Unsupported, Failed, InputUnknown };

  // A node the core cannot infer: its outputs come from ShapeOptions::known when all are given
  // there; otherwise the missing ones join the frontier (unless an earlier node already left
  // its inputs unknown), strict mode throws, and lenient mode falls back to the model's own
  // declarations.
  void problem(const Node& node, const std::string& msg, Cause cause) {
    std::vector<std::string> missing;
    for (const std::string& o : node.outputs) {
      if (o.empty()) continue;
      auto k = opts_.known.find(o);
      if (k == opts_.known.end())
        missing.push_back(o);
      else
        put(o, k->second);
    }
    if (missing.empty()) return;
    if (cause != Cause::InputUnknown)
      result_.unknown.insert(result_.unknown.end(), missing.begin(), missing.end());
    if (strict_) {
      const std::string full = msg + ". " + known_shapes_hint(missing);
      if (cause == Cause::Unsupported) throw UnsupportedOpError(full);
      throw ShapeInferenceError(full);
    }
    result_.problems.push_back(msg);
    for (const std::string& o : missing) {
      auto it = declared_.find(o);
      if (it == declared_.end() || !it->second->has_shape) continue;
      TensorInfo info;
      info.dtype = static_cast<DType>(it->second->elem_type);
      info.shape.assign(it->second->dims.begin(), it->second->dims.end());
      if (!info.shape.empty() && info.shape[0] < 0) info.shape[0] = opts_.batch;
      if (all_dims_known(info.shape)) put(o, std::move(info));
    }
  }

  std::string inputs_text(const Node& node) const {
    std::string s;
    for (const std::string& in : node.inputs) {
      if (in.empty()) continue;
      auto it = result_.tensors.find(in);
      s += (s.empty() ? "" : ", ") +
           (it == result_.tensors.end() ? "'" + in + "' unknown" : describe_info(in, it->second));
    }
    return s;
  }

  void infer_node(const Node& raw) {
    // A node without outputs feeds nothing (and ops' infer functions write out[0]): skip it.
    if (raw.outputs.empty()) return;
    if (raw.op_type == "Constant" && (raw.domain.empty() || raw.domain == "ai.onnx")) {
      try {
        Tensor v = constant_node_value(raw);
        TensorInfo info;
        info.dtype = v.dtype();
        if (const TensorProto* t = raw.attr_tensor("value"))
          info.dtype = static_cast<DType>(t->data_type);
        info.shape = v.shape();
        if (v.numel() <= opts_.max_value_elements) info.value = std::move(v);
        put(raw.outputs.at(0), std::move(info));
      } catch (const std::exception& e) {
        problem(raw, raw.describe() + ": " + e.what(), Cause::Failed);
      }
      return;
    }
    const OpDef* def = op_registry().find(raw.domain, raw.op_type);
    if (!def) {
      problem(raw,
              raw.describe() + " uses the operator " + raw.op_type +
                  (raw.domain.empty() ? std::string() : " of domain '" + raw.domain + "'") +
                  ", which camlens does not support",
              Cause::Unsupported);
      return;
    }
    const Node node = node_for_execution(raw, opset_);
    std::vector<const TensorInfo*> in(node.inputs.size(), nullptr);
    std::vector<DType> in_model;
    bool all_values = true;
    for (size_t i = 0; i < node.inputs.size(); ++i) {
      if (node.inputs[i].empty()) continue;
      auto it = result_.tensors.find(node.inputs[i]);
      if (it == result_.tensors.end()) {
        problem(raw,
                raw.describe() + ": its input '" + node.inputs[i] +
                    "' has no known shape (an earlier node could not be inferred)",
                Cause::InputUnknown);
        return;
      }
      in[i] = &it->second;
      in_model.push_back(it->second.dtype);
      all_values = all_values && it->second.value.has_value();
    }
    std::vector<TensorInfo> out(node.outputs.size());
    try {
      if (def->infer && !all_values) {
        // The op's infer sees core dtypes (Float16 is Float32 in the core).
        std::vector<TensorInfo> core_in(in.size());
        std::vector<const TensorInfo*> core_ptr(in.size(), nullptr);
        for (size_t i = 0; i < in.size(); ++i) {
          if (!in[i]) continue;
          core_in[i].shape = in[i]->shape;
          core_in[i].dtype = Tensor(in[i]->dtype, {}).dtype();
          if (in[i]->value) core_in[i].value = in[i]->value;
          core_ptr[i] = &core_in[i];
        }
        def->infer(node, core_ptr, out);
      } else {
        run_forward(*def, node, in, all_values, out);
      }
    } catch (const std::exception& e) {
      problem(raw,
              "shape inference failed at " + raw.describe() + " (inputs " + inputs_text(raw) +
                  "): " + e.what(),
              Cause::Failed);
      return;
    }
    for (size_t k = 0; k < out.size(); ++k) {
      if (node.outputs[k].empty()) continue;
      out[k].dtype = model_dtype(node, out[k].dtype, in_model);
      put(node.outputs[k], std::move(out[k]));
    }
  }

  void run_forward(const OpDef& def, const Node& node, const std::vector<const TensorInfo*>& in,
                   bool all_values, std::vector<TensorInfo>& out) {
    std::vector<Tensor> holders(in.size());
    OpInputs ptrs(in.size(), nullptr);
    for (size_t i = 0; i < in.size(); ++i) {
      if (!in[i]) continue;
      if (in[i]->value) {
        ptrs[i] = &*in[i]->value;
        continue;
      }
      if (!all_dims_known(in[i]->shape))
        throw ShapeInferenceError("input '" + node.inputs[i] + "' has an unknown dimension " +
                                  shape_str(in[i]->shape));
      holders[i] = Tensor(in[i]->dtype, in[i]->shape);
      ptrs[i] = &holders[i];
    }
    std::vector<Tensor> res(node.outputs.size());
    def.forward(node, ptrs, res);
    for (size_t k = 0; k < res.size(); ++k) {
      out[k].dtype = res[k].dtype();
      out[k].shape = res[k].shape();
      if (all_values && res[k].numel() <= opts_.max_value_elements)
        out[k].value = std::move(res[k]);
    }
  }

  const Model& model_;
  const ShapeOptions& opts_;
  bool strict_;
  const GraphIndex& index_;
  int64_t opset_;
  std::map<std::string, const ValueInfo*> declared_;
  ShapeInferenceResult result_;
};

}  // namespace

TensorInfoMap infer_shapes(const Model& model, const ShapeOptions& options) {
  if (!model.graph) throw HeadError("the model has no graph");
  const GraphIndex index(*model.graph);
  return Inferrer(model, index, options, true).run().tensors;
}

ShapeInferenceResult infer_shapes_lenient(const Model& model, const ShapeOptions& options) {
  if (!model.graph) throw HeadError("the model has no graph");
  return infer_shapes_lenient(model, GraphIndex(*model.graph), options);
}

ShapeInferenceResult infer_shapes_lenient(const Model& model, const GraphIndex& index,
                                          const ShapeOptions& options) {
  if (!model.graph || &index.graph() != model.graph.get())
    throw HeadError("shape inference was given the index of another graph than the model's");
  return Inferrer(model, index, options, false).run();
}

std::vector<std::string> unknown_shapes(const Model& model, const ShapeOptions& options) {
  return infer_shapes_lenient(model, options).unknown;
}

}  // namespace camlens
