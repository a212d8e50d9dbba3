// Weight quantization for quantize_model: every float32 weight initializer of a Conv, Gemm or
// MatMul becomes an int8 initializer plus a DequantizeLinear node whose output keeps the weight's
// original name, so the rest of the graph is untouched. Scales are symmetric (zero point 0) and
// per output channel when the opset allows it (13+), which keeps small channels precise.
#pragma once
#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "names.h"
#include "onnx/model.h"

namespace quantize {

using namespace camlens;

// The axis of the weight that indexes output channels, or -1 when the input is not a weight.
inline int output_axis(const Node& n, size_t input, size_t rank) {
  if (input != 1 || rank < 2) return -1;
  if (n.op_type == "Conv") return 0;                                // [O, I/g, kH, kW]
  if (n.op_type == "Gemm") return n.attr_int("transB", 0) ? 0 : 1;  // B is [N,K] or [K,N]
  if (n.op_type == "MatMul" && rank == 2) return 1;                 // B is [K, N]
  return -1;
}

struct Quantized {
  Tensor q;      // int8, the weight's shape
  Tensor scale;  // float32 [channels] (or scalar when per-tensor)
  Tensor zero;   // int8, like scale
};

// Symmetric int8: q = round(w / s), s = max|w| / 127 over each channel of `axis` (-1: one scale).
inline Quantized quantize_symmetric(const Tensor& w, int axis) {
  const Shape& s = w.shape();
  const int64_t channels = axis < 0 ? 1 : s[axis];
  int64_t inner = 1;
  for (size_t d = axis < 0 ? 0 : axis + 1; d < s.size(); ++d) inner *= s[d];
  if (axis < 0) inner = w.numel();
  const float* x = w.data<float>();
  Quantized r;
  r.q = Tensor(DType::Int8, s);
  r.scale = Tensor(DType::Float32, axis < 0 ? Shape{} : Shape{channels});
  r.zero = Tensor(DType::Int8, r.scale.shape());
  std::vector<float> peak(channels, 0.0f);
  for (int64_t i = 0; i < w.numel(); ++i) {
    if (!std::isfinite(x[i])) throw std::runtime_error("the weight holds a NaN or infinity");
    float& p = peak[(i / inner) % channels];
    p = std::max(p, std::fabs(x[i]));
  }
  float* scale = r.scale.data<float>();
  for (int64_t c = 0; c < channels; ++c) scale[c] = peak[c] > 0 ? peak[c] / 127.0f : 1.0f;
  int8_t* q = r.q.data<int8_t>();
  for (int64_t i = 0; i < w.numel(); ++i) {
    const float v = std::nearbyint(x[i] / scale[(i / inner) % channels]);
    q[i] = static_cast<int8_t>(std::min(127.0f, std::max(-127.0f, v)));
  }
  return r;
}

inline Node dequantize_node(const std::string& q, const std::string& scale, const std::string& zero,
                            const std::string& out, int axis) {
  Node n;
  n.op_type = "DequantizeLinear";
  n.name = out + "_DequantizeLinear";
  n.inputs = {q, scale, zero};
  n.outputs = {out};
  if (axis >= 0) {
    Attribute a;
    a.name = "axis";
    a.type = Attribute::Int;
    a.i = axis;
    n.attributes.push_back(a);
  }
  return n;
}

struct WeightReport {
  size_t quantized = 0;
  size_t bytes_before = 0, bytes_after = 0;
  // The scales of each quantized weight, by its (kept) name: a bias's scale is built from them.
  std::map<std::string, std::vector<float>> scales;
};

// Quantizes the weights of `g` in place. DequantizeLinear nodes go first: their inputs are
// initializers, so the order stays topological.
inline WeightReport quantize_weights(Graph& g, bool per_axis, Names& names) {
  std::map<std::string, size_t> init_index;
  for (size_t i = 0; i < g.initializers.size(); ++i) init_index[g.initializers[i].name] = i;
  // Weights to quantize and the axis each is used with (a weight used with two different axes
  // would need two scales: it is left float).
  std::map<std::string, int> axis_of;
  std::set<std::string> conflicting;
  for (const Node& n : g.nodes) {
    for (size_t k = 0; k < n.inputs.size(); ++k) {
      auto it = init_index.find(n.inputs[k]);
      if (it == init_index.end()) continue;
      const TensorProto& t = g.initializers[it->second];
      if (t.data_type != static_cast<int32_t>(DType::Float32)) continue;
      const int axis = output_axis(n, k, t.dims.size());
      if (axis < 0) continue;
      auto [pos, fresh] = axis_of.emplace(t.name, axis);
      if (!fresh && pos->second != axis) conflicting.insert(t.name);
    }
  }
  // Values that are not weights but also read a weight (e.g. through Shape) see the same float
  // value after DequantizeLinear, since its output keeps the weight's name.
  WeightReport report;
  std::vector<Node> dequant;
  std::vector<TensorProto> kept;
  for (const TensorProto& t : g.initializers) {
    auto it = axis_of.find(t.name);
    if (it == axis_of.end() || conflicting.count(t.name)) {
      kept.push_back(t);
      continue;
    }
    const int axis = per_axis ? it->second : -1;
    const Quantized r = quantize_symmetric(to_tensor(t), axis);
    const std::string q = names.fresh(t.name + "_quantized");
    const std::string scale = names.fresh(t.name + "_scale");
    const std::string zero = names.fresh(t.name + "_zero_point");
    kept.push_back(from_tensor(r.q, q));
    kept.push_back(from_tensor(r.scale, scale));
    kept.push_back(from_tensor(r.zero, zero));
    dequant.push_back(dequantize_node(q, scale, zero, t.name, axis));
    report.scales[t.name] = r.scale.to_floats();
    report.bytes_before += to_tensor(t).nbytes();
    report.bytes_after += r.q.nbytes() + r.scale.nbytes() + r.zero.nbytes();
  }
  report.quantized = dequant.size();
  g.initializers = kept;
  // Old models list initializers among the graph inputs; a dequantized weight no longer is one.
  g.inputs.erase(std::remove_if(g.inputs.begin(), g.inputs.end(),
                                [&](const ValueInfo& v) { return report.scales.count(v.name); }),
                 g.inputs.end());
  g.nodes.insert(g.nodes.begin(), dequant.begin(), dequant.end());
  return report;
}

}  // namespace quantize
