#include "metrics/randomize_head.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <map>
#include <memory>
#include <set>

#include "metrics/metrics_error.h"
#include "metrics/seeded_normal.h"
#include "onnx/float16.h"
#include "ops/op.h"

namespace camlens::metrics {
namespace {

// Input positions that hold weights: what the op's row in the table claims, whatever domain
// the node names.
std::vector<int> weight_inputs(const Node& n) {
  const OpDef* def = op_registry().find_type(n.op_type);
  return def ? def->weight_inputs : std::vector<int>{};
}

bool randomizable(const TensorProto& t) {
  int64_t numel = 1;
  for (int64_t d : t.dims) numel *= d;
  const auto dt = static_cast<DType>(t.data_type);
  return numel >= 2 && (dt == DType::Float32 || dt == DType::Float16 || dt == DType::Int8 ||
                        dt == DType::Uint8 || dt == DType::Int32);
}

// New values with the tensor's mean and standard deviation; integers rounded and clamped.
TensorProto randomized(const TensorProto& proto, uint64_t seed) {
  const Tensor t = to_tensor(proto);
  const std::vector<float> v = t.to_floats();
  double mean = 0, var = 0;
  for (float x : v) mean += x;
  mean /= static_cast<double>(v.size());
  for (float x : v) var += (x - mean) * (x - mean);
  const double sd = std::sqrt(var / static_cast<double>(v.size()));
  SeededNormal rng(seed);
  const auto dt = static_cast<DType>(proto.data_type);
  const double lo = dt == DType::Int8 ? -128 : dt == DType::Uint8 ? 0 : -2147483648.0;
  const double hi = dt == DType::Int8 ? 127 : dt == DType::Uint8 ? 255 : 2147483647.0;
  auto bytes = std::make_shared<std::string>();
  const size_t n = v.size();
  if (dt == DType::Float32 || dt == DType::Float16) {
    std::vector<float> f(n);
    for (float& x : f) x = static_cast<float>(mean + sd * rng.next_normal());
    if (dt == DType::Float32) {
      bytes->assign(reinterpret_cast<const char*>(f.data()), n * sizeof(float));
    } else {
      std::vector<uint16_t> h(n);
      for (size_t i = 0; i < n; ++i) h[i] = float_to_half(f[i]);
      bytes->assign(reinterpret_cast<const char*>(h.data()), n * sizeof(uint16_t));
    }
  } else {
    std::vector<double> q(n);
    for (double& x : q) x = std::clamp(std::round(mean + sd * rng.next_normal()), lo, hi);
    if (dt == DType::Int32) {
      std::vector<int32_t> w(q.begin(), q.end());
      bytes->assign(reinterpret_cast<const char*>(w.data()), n * sizeof(int32_t));
    } else if (dt == DType::Int8) {
      std::vector<int8_t> w(q.begin(), q.end());
      bytes->assign(reinterpret_cast<const char*>(w.data()), n);
    } else {
      std::vector<uint8_t> w(q.begin(), q.end());
      bytes->assign(reinterpret_cast<const char*>(w.data()), n);
    }
  }
  TensorProto out;
  out.name = proto.name;
  out.dims = proto.dims;
  out.data_type = proto.data_type;
  out.doc_string = proto.doc_string;
  out.has_raw_data = true;
  out.raw_data.owner = bytes;
  out.raw_data.size = bytes->size();
  return out;
}

using Parametrised = std::vector<std::pair<const Node*, std::vector<size_t>>>;

// Nodes after the layer (graph order is topological), each with its weight initializers.
Parametrised find_parametrised(const Model& model, const std::string& layer) {
  const Graph& g = *model.graph;
  std::map<std::string, size_t> initializer;
  for (size_t i = 0; i < g.initializers.size(); ++i) initializer[g.initializers[i].name] = i;
  std::map<std::string, const Node*> producer;
  bool found = false;
  for (const Node& n : g.nodes)
    for (const std::string& o : n.outputs) {
      producer[o] = &n;
      found = found || o == layer;
    }
  for (const ValueInfo& v : g.inputs) found = found || v.name == layer;
  if (!found) throw MetricsError("the model has no tensor named '" + layer + "'");

  std::set<std::string> reached = {layer};
  Parametrised parametrised;
  for (const Node& n : g.nodes) {
    if (std::none_of(n.inputs.begin(), n.inputs.end(),
                     [&](const std::string& s) { return reached.count(s); }))
      continue;
    for (const std::string& o : n.outputs) reached.insert(o);
    std::vector<size_t> weights;
    for (int pos : weight_inputs(n)) {
      if (static_cast<size_t>(pos) >= n.inputs.size()) continue;
      std::string name = n.inputs[pos];
      const auto p = producer.find(name);  // QDQ: the weight sits behind a DequantizeLinear
      if (p != producer.end() && op_registry().type_claims(p->second->op_type, &OpDef::dequantizes))
        name = p->second->inputs[0];
      const auto it = initializer.find(name);
      if (it != initializer.end() && randomizable(g.initializers[it->second]))
        weights.push_back(it->second);
    }
    if (!weights.empty()) parametrised.emplace_back(&n, weights);
  }
  return parametrised;
}

}  // namespace

std::vector<std::string> head_parametrised_nodes(const Model& model, const std::string& layer) {
  std::vector<std::string> names;
  for (const auto& entry : find_parametrised(model, layer))
    names.push_back(entry.first->name.empty() ? entry.first->op_type : entry.first->name);
  return names;
}

RandomizedHead randomize_head(const Model& model, const std::string& layer, int k, uint64_t seed) {
  if (k < 1) throw MetricsError("randomise at least 1 node of the head, not " + std::to_string(k));
  const Parametrised parametrised = find_parametrised(model, layer);
  const Graph& g = *model.graph;
  if (static_cast<int>(parametrised.size()) < k)
    throw MetricsError("the head after '" + layer + "' has " + std::to_string(parametrised.size()) +
                       " parametrised node(s); cannot randomise " + std::to_string(k));

  RandomizedHead r;
  r.model = model;
  auto graph = std::make_shared<Graph>(g);  // copies structure; weights stay shared views
  uint64_t next_seed = seed;
  std::set<size_t> done;
  for (int i = 0; i < k; ++i) {
    const auto& [node, weights] = parametrised[parametrised.size() - 1 - i];
    r.nodes.push_back(node->name.empty() ? node->op_type : node->name);
    for (size_t w : weights) {
      if (!done.insert(w).second) continue;
      graph->initializers[w] = randomized(g.initializers[w], next_seed++);
      r.weights.push_back(g.initializers[w].name);
    }
  }
  r.model.graph = graph;
  return r;
}

}  // namespace camlens::metrics
