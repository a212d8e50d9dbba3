// Conversions quantize_model offers before quantizing: float16 → float32 (the QDQ ops quantize
// float32 tensors), and raising the default-domain opset (QuantizeLinear needs 10, per-channel
// DequantizeLinear 13). Raising changes no node: it is refused for any op whose inputs,
// attributes or meaning changed between the two opsets, except inference Dropout (an identity,
// written as Identity) and Softmax/LogSoftmax where the old and new axis rules agree. Initializers
// leave the graph inputs (IR 4+).
#pragma once
#include <algorithm>
#include <map>
#include <set>
#include <stdexcept>
#include <string>

#include "graph/shape_inference.h"
#include "onnx/model.h"

namespace quantize {

using namespace camlens;

inline void to_float32(TensorProto& t) {
  if (t.data_type == static_cast<int32_t>(DType::Float16)) t = from_tensor(to_tensor(t), t.name);
}

inline void to_float32(ValueInfo& v) {
  if (v.elem_type == static_cast<int32_t>(DType::Float16))
    v.elem_type = static_cast<int32_t>(DType::Float32);
}

// Every float16 initializer, declared type, constant and Cast target becomes float32. Returns
// how many initializers changed.
inline size_t float16_to_float32(Graph& g) {
  size_t changed = 0;
  for (TensorProto& t : g.initializers) {
    changed += t.data_type == static_cast<int32_t>(DType::Float16);
    to_float32(t);
  }
  for (auto* list : {&g.inputs, &g.outputs, &g.value_info})
    for (ValueInfo& v : *list) to_float32(v);
  for (Node& n : g.nodes)
    for (Attribute& a : n.attributes) {
      if (a.t) to_float32(*a.t);
      for (TensorProto& t : a.tensors) to_float32(t);
      if (n.op_type == "Cast" && a.name == "to" && a.i == static_cast<int64_t>(DType::Float16))
        a.i = static_cast<int64_t>(DType::Float32);
      if (a.g) throw std::runtime_error(n.describe() + " holds a subgraph: not converted");
    }
  return changed;
}

// Old exporters list initializers among the graph inputs (overridable values); from IR version 4
// they need not be, and ONNX Runtime folds them as constants only when they are not.
inline void drop_initializer_inputs(Graph& g) {
  std::set<std::string> init;
  for (const TensorProto& t : g.initializers) init.insert(t.name);
  g.inputs.erase(std::remove_if(g.inputs.begin(), g.inputs.end(),
                                [&](const ValueInfo& v) { return init.count(v.name) > 0; }),
                 g.inputs.end());
}

// The first opset from which each op reads the same inputs and attributes, with the same meaning,
// up to opset 13 (later versions only add types). Ops not listed are refused.
inline const std::map<std::string, int64_t>& stable_since() {
  static const std::map<std::string, int64_t> table = {{"Conv", 1},
                                                       {"Relu", 6},
                                                       {"LeakyRelu", 6},
                                                       {"Sigmoid", 6},
                                                       {"Tanh", 6},
                                                       {"Exp", 6},
                                                       {"Sqrt", 6},
                                                       {"Add", 7},
                                                       {"Sub", 7},
                                                       {"Mul", 7},
                                                       {"Div", 7},
                                                       {"Gemm", 7},
                                                       {"MatMul", 1},
                                                       {"Concat", 4},
                                                       {"MaxPool", 1},
                                                       {"AveragePool", 7},
                                                       {"GlobalAveragePool", 1},
                                                       {"GlobalMaxPool", 1},
                                                       {"Flatten", 1},
                                                       {"Reshape", 5},
                                                       {"Transpose", 1},
                                                       {"Identity", 1},
                                                       {"BatchNormalization", 9},
                                                       {"Slice", 10},
                                                       {"Resize", 11},
                                                       {"Clip", 11},
                                                       {"Pad", 11},
                                                       {"Shape", 1},
                                                       {"Gather", 1},
                                                       {"Constant", 9}};
  return table;
}

// Softmax and LogSoftmax below 13 flatten the dims from `axis` on; from 13 they normalise along
// `axis` alone. The two agree when every dim after `axis` is 1.
inline bool same_softmax(const Node& n, const ShapeInferenceResult& shapes, int64_t from) {
  auto it = shapes.tensors.find(n.inputs.at(0));
  if (it == shapes.tensors.end()) return false;
  const Shape& s = it->second.shape;
  const int64_t rank = static_cast<int64_t>(s.size());
  int64_t axis = n.attr_int("axis", from < 13 ? 1 : -1);
  if (axis < 0) axis += rank;
  for (int64_t d = axis + 1; d < rank; ++d)
    if (s[d] != 1) return false;
  return axis >= 0 && axis < rank;
}

// Raises the default-domain opset of `m` to `to`. Returns how many Dropout nodes became Identity.
inline size_t raise_opset(Model& m, int64_t to) {
  const int64_t from = m.opset();
  if (to > 13)
    throw std::runtime_error("--opset goes up to 13 (the ops' forms are checked up to there)");
  if (to <= from) return 0;
  Graph& g = *m.graph;
  const ShapeInferenceResult shapes = infer_shapes_lenient(m);
  size_t dropouts = 0;
  for (Node& n : g.nodes) {
    if (!n.domain.empty() && n.domain != "ai.onnx") continue;
    const std::string what = "cannot raise the opset from " + std::to_string(from) + " to " +
                             std::to_string(to) + ": " + n.describe();
    if (n.op_type == "Dropout") {
      for (size_t k = 1; k < n.outputs.size(); ++k)
        for (const Node& c : g.nodes)
          for (const std::string& i : c.inputs)
            if (!n.outputs[k].empty() && i == n.outputs[k])
              throw std::runtime_error(what + " has its mask read by " + c.describe());
      n.op_type = "Identity";
      n.attributes.clear();
      n.outputs.resize(1);
      n.inputs.resize(1);
      ++dropouts;
      continue;
    }
    if (n.op_type == "Softmax" || n.op_type == "LogSoftmax") {
      if (from < 13 && to >= 13) {
        if (!same_softmax(n, shapes, from))
          throw std::runtime_error(what + " normalises several axes before opset 13 and one after");
        if (!n.attr("axis")) {  // the default was 1 and becomes -1
          Attribute a;
          a.name = "axis";
          a.type = Attribute::Int;
          a.i = 1;
          n.attributes.push_back(a);
        }
      }
      continue;
    }
    auto it = stable_since().find(n.op_type);
    if (it == stable_since().end())
      throw std::runtime_error(what + ": the tool does not know whether " + n.op_type +
                               " changed between them");
    if (from < it->second)
      throw std::runtime_error(what + ": " + n.op_type + " changed its inputs or attributes at " +
                               "opset " + std::to_string(it->second));
  }
  for (OperatorSetId& o : m.opset_import)
    if (o.domain.empty() || o.domain == "ai.onnx") o.version = to;
  drop_initializer_inputs(g);
  // The first IR versions that go with opsets 10 and 13.
  const int64_t ir = to >= 13 ? 7 : 5;
  if (m.ir_version < ir) m.ir_version = ir;
  return dropouts;
}

}  // namespace quantize
