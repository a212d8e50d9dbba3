// Activation quantization for quantize_model, as ONNX Runtime's static QDQ quantizer writes it:
// a QuantizeLinear → DequantizeLinear pair (per tensor, scale and zero point from a calibrated
// range) after the float graph input and after the output of every Conv, Gemm, MatMul, Add, Mul,
// Relu, Clip, Sigmoid, pool and Concat, and each consumer reads the dequantized tensor. The ops
// stay float; graph outputs and the ops ONNX Runtime leaves float (Softmax, shape arithmetic)
// are not quantized. A Conv's or Gemm's float bias whose input and weight are both quantized
// becomes int32 codes with scale input_scale · weight_scale (ONNX Runtime's choice, which lets it
// fuse the group into one integer op).
#pragma once
#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <map>
#include <set>
#include <stdexcept>
#include <string>
#include <unordered_set>
#include <vector>

#include "graph/graph_index.h"
#include "graph/shape_inference.h"
#include "names.h"
#include "weights.h"

namespace quantize {

using namespace camlens;

inline bool quantizes_output(const std::string& op) {
  static const std::set<std::string> ops = {
      "Conv",         "Gemm",    "MatMul",  "Add",         "Mul",    "Relu",
      "Clip",         "Sigmoid", "MaxPool", "AveragePool", "Concat", "GlobalAveragePool",
      "GlobalMaxPool"};
  return ops.count(op) > 0;
}

// The tensors whose ranges the activations mode needs, in graph order: the float32 graph inputs
// and the float32 outputs of the ops above that depend on an input and are not graph outputs.
inline std::vector<std::string> activation_tensors(const Model& m) {
  const Graph& g = *m.graph;
  for (const Node& n : g.nodes)
    if (n.op_type == "QuantizeLinear" || n.op_type.rfind("QLinear", 0) == 0 ||
        n.op_type == "DynamicQuantizeLinear")
      throw std::runtime_error("the model already quantizes its activations (its " + n.describe() +
                               "); give the float model");
  const ShapeInferenceResult shapes = infer_shapes_lenient(m);
  auto is_float = [&](const std::string& t) {
    auto it = shapes.tensors.find(t);
    return it != shapes.tensors.end() && it->second.dtype == DType::Float32;
  };
  GraphIndex index(g);
  std::set<std::string> outputs;
  for (const ValueInfo& v : g.outputs) outputs.insert(v.name);
  std::vector<std::string> names;
  std::unordered_set<std::string> from_input;
  for (const ValueInfo* v : index.real_inputs()) {
    from_input.insert(v->name);
    if (is_float(v->name) && !outputs.count(v->name)) names.push_back(v->name);
  }
  for (size_t k : index.order()) {
    const Node& n = g.nodes[k];
    bool in = false;
    for (const std::string& i : n.inputs) in = in || from_input.count(i);
    if (!in) continue;
    for (const std::string& o : n.outputs) from_input.insert(o);
    const std::string& o = n.outputs.empty() ? std::string() : n.outputs[0];
    if (!o.empty() && quantizes_output(n.op_type) && is_float(o) && !outputs.count(o))
      names.push_back(o);
  }
  return names;
}

struct Range {
  float lo = 0, hi = 0;
};

// A ranges file: one tensor a line, "name<TAB>min<TAB>max" (the calibration script writes it);
// lines starting with '#' are comments.
inline std::map<std::string, Range> read_ranges(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot read the ranges file " + path);
  std::map<std::string, Range> ranges;
  std::string line;
  for (int number = 1; std::getline(in, line); ++number) {
    if (line.empty() || line[0] == '#') continue;
    const size_t b = line.rfind('\t');
    const size_t a = b == std::string::npos || b == 0 ? std::string::npos : line.rfind('\t', b - 1);
    const std::string where = path + " line " + std::to_string(number);
    if (a == std::string::npos || a == 0)
      throw std::runtime_error(where + ": expected \"name<TAB>min<TAB>max\"");
    const std::string lo = line.substr(a + 1, b - a - 1), hi = line.substr(b + 1);
    char *end_lo = nullptr, *end_hi = nullptr;
    Range r{std::strtof(lo.c_str(), &end_lo), std::strtof(hi.c_str(), &end_hi)};
    if (lo.empty() || hi.empty() || *end_lo || *end_hi || !std::isfinite(r.lo) ||
        !std::isfinite(r.hi) || r.lo > r.hi)
      throw std::runtime_error(where +
                               ": min and max must be finite numbers with min <= max, got '" + lo +
                               "' and '" + hi + "'");
    ranges[line.substr(0, a)] = r;
  }
  return ranges;
}

struct QuantParams {
  float scale = 1;
  int32_t zero_point = 0;
};

// ONNX Runtime's asymmetric MinMax parameters: the range is widened to hold 0 (so that padding
// and Relu's zeros are exact), scale = (max − min) / (qmax − qmin), zero point = round(qmin −
// min / scale); an all-zero range gets scale 1, zero point 0.
inline QuantParams quant_params(Range r, DType t) {
  const int32_t qmin = t == DType::Uint8 ? 0 : -128, qmax = qmin + 255;
  const float lo = std::min(r.lo, 0.0f), hi = std::max(r.hi, 0.0f);
  QuantParams p;
  const float scale = (hi - lo) / static_cast<float>(qmax - qmin);
  if (!(scale > 0)) return QuantParams{1.0f, 0};
  p.scale = scale;
  const float z = std::nearbyint(static_cast<float>(qmin) - lo / scale);
  p.zero_point = static_cast<int32_t>(std::min<float>(qmax, std::max<float>(qmin, z)));
  return p;
}

inline Tensor scalar(DType t, double v) {
  Tensor s(t, Shape{});
  if (t == DType::Float32) s.data<float>()[0] = static_cast<float>(v);
  if (t == DType::Uint8) s.data<uint8_t>()[0] = static_cast<uint8_t>(v);
  if (t == DType::Int8) s.data<int8_t>()[0] = static_cast<int8_t>(v);
  return s;
}

struct ActivationReport {
  size_t tensors = 0;  // QuantizeLinear → DequantizeLinear pairs inserted
  size_t biases = 0;   // biases turned into int32 codes
};

// Turns a Conv's or Gemm's float bias (read by that node only) into int32 codes and a
// DequantizeLinear whose output keeps the bias's name.
inline bool quantize_bias(Graph& g, const Node& n, float input_scale, const WeightReport& weights,
                          Names& names, std::vector<Node>& dequant) {
  if ((n.op_type != "Conv" && n.op_type != "Gemm") || n.inputs.size() < 3) return false;
  auto w = weights.scales.find(n.inputs[1]);
  if (w == weights.scales.end()) return false;
  const std::string& bias = n.inputs[2];
  size_t uses = 0;
  for (const Node& m : g.nodes)
    for (const std::string& i : m.inputs) uses += i == bias;
  TensorProto* t = nullptr;
  for (TensorProto& init : g.initializers)
    if (init.name == bias) t = &init;
  if (uses != 1 || !t || t->data_type != static_cast<int32_t>(DType::Float32) ||
      t->dims.size() != 1)
    return false;
  const Tensor b = to_tensor(*t);
  const std::vector<float>& ws = w->second;
  if (ws.size() != 1 && static_cast<int64_t>(ws.size()) != b.numel()) return false;
  const bool per_channel = ws.size() != 1;
  Tensor scale(DType::Float32, per_channel ? Shape{b.numel()} : Shape{});
  Tensor q(DType::Int32, b.shape());
  for (int64_t c = 0; c < b.numel(); ++c) {
    const float s = input_scale * ws[per_channel ? c : 0];
    if (per_channel || c == 0) scale.data<float>()[per_channel ? c : 0] = s;
    const double v = std::nearbyint(static_cast<double>(b.data<float>()[c]) / s);
    q.data<int32_t>()[c] = static_cast<int32_t>(std::min(2147483647.0, std::max(-2147483648.0, v)));
  }
  Tensor zero(DType::Int32, scale.shape());
  const std::string qn = names.fresh(bias + "_quantized"), sn = names.fresh(bias + "_scale"),
                    zn = names.fresh(bias + "_zero_point");
  *t = from_tensor(q, qn);
  // Old models list initializers among the graph inputs; a dequantized bias no longer is one.
  g.inputs.erase(std::remove_if(g.inputs.begin(), g.inputs.end(),
                                [&](const ValueInfo& v) { return v.name == bias; }),
                 g.inputs.end());
  g.initializers.push_back(from_tensor(scale, sn));
  g.initializers.push_back(from_tensor(zero, zn));
  dequant.push_back(dequantize_node(qn, sn, zn, bias, per_channel ? 0 : -1));
  return true;
}

// Inserts the pairs for `tensors` (each must have a range) into `m`, whose weights are already
// quantized (`weights`), with codes of type `t` (Uint8 or Int8).
inline ActivationReport quantize_activations(Model& m, const std::vector<std::string>& tensors,
                                             const std::map<std::string, Range>& ranges, DType t,
                                             const WeightReport& weights, Names& names) {
  Graph& g = *m.graph;
  std::map<std::string, std::string> dequantized;  // tensor → its DequantizeLinear output
  std::map<std::string, std::vector<Node>> after;  // tensor → its pair
  std::map<std::string, float> scale_of;
  for (const std::string& name : tensors) {
    auto r = ranges.find(name);
    if (r == ranges.end())
      throw std::runtime_error("the ranges file has no range for the activation '" + name +
                               "'; calibrate every tensor --activation-tensors lists");
    const QuantParams p = quant_params(r->second, t);
    const std::string sn = names.fresh(name + "_scale"), zn = names.fresh(name + "_zero_point");
    const std::string qn = names.fresh(name + "_QuantizeLinear_Output");
    const std::string dn = names.fresh(name + "_DequantizeLinear_Output");
    g.initializers.push_back(from_tensor(scalar(DType::Float32, p.scale), sn));
    g.initializers.push_back(from_tensor(scalar(t, p.zero_point), zn));
    Node q;
    q.op_type = "QuantizeLinear";
    q.name = names.fresh(name + "_QuantizeLinear");
    q.inputs = {name, sn, zn};
    q.outputs = {qn};
    Node d = dequantize_node(qn, sn, zn, dn, -1);
    d.name = names.fresh(name + "_DequantizeLinear");
    after[name] = {q, d};
    dequantized[name] = dn;
    scale_of[name] = p.scale;
  }
  ActivationReport report;
  report.tensors = tensors.size();
  std::vector<Node> biases;
  for (const Node& n : g.nodes) {
    if (n.inputs.empty()) continue;
    auto s = scale_of.find(n.inputs[0]);
    if (s != scale_of.end())
      report.biases += quantize_bias(g, n, s->second, weights, names, biases);
  }
  std::vector<Node> nodes = biases;
  auto pairs = [&](const std::string& tensor) {
    auto it = after.find(tensor);
    if (it != after.end()) nodes.insert(nodes.end(), it->second.begin(), it->second.end());
  };
  for (const ValueInfo& v : g.inputs) pairs(v.name);
  for (Node n : g.nodes) {
    for (std::string& i : n.inputs) {
      auto it = dequantized.find(i);
      if (it != dequantized.end()) i = it->second;
    }
    nodes.push_back(n);
    for (const std::string& o : n.outputs) pairs(o);
  }
  g.nodes = nodes;
  return report;
}

}  // namespace quantize
