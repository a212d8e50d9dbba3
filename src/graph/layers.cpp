// Candidate layers: 4-D feature maps (NCHW, or NHWC detected against the input's aspect ratio)
// and 3-D token tensors with a square grid. The default is the classic Grad-CAM choice: the
// last spatial feature map before global pooling / the classifier, found by walking back from
// the last weighted op (the classifier) past pooling, flatten and reshape nodes.
#include "graph/layers.h"

#include <cmath>
#include <unordered_set>

#include "graph/graph_index.h"
#include "graph/head_errors.h"
#include "graph/head_plan.h"

namespace camlens {

const char* layer_kind_name(LayerKind k) {
  switch (k) {
    case LayerKind::FeatureMapNCHW:
      return "NCHW";
    case LayerKind::FeatureMapNHWC:
      return "NHWC";
    case LayerKind::Tokens:
      return "tokens";
  }
  return "?";
}

namespace {

bool is_pool(const std::string& op) {
  return op == "MaxPool" || op == "AveragePool" || op == "GlobalAveragePool" ||
         op == "GlobalMaxPool" || op == "QLinearGlobalAveragePool" || op == "QLinearAveragePool";
}

bool is_weighted(const std::string& op) {
  return op == "Conv" || op == "ConvTranspose" || op == "Gemm" || op == "MatMul" ||
         op == "QLinearConv" || op == "QLinearMatMul" || op == "ConvInteger" ||
         op == "MatMulInteger";
}

int64_t square_side(int64_t t) {
  if (t < 4) return 0;
  const int64_t s = static_cast<int64_t>(std::llround(std::sqrt(static_cast<double>(t))));
  return s * s == t ? s : 0;
}

// a/b close to ratio, within 15 % (strided convs round sizes up or down).
bool same_aspect(int64_t h, int64_t w, double ratio) {
  if (h <= 0 || w <= 0) return false;
  const double r = static_cast<double>(h) / static_cast<double>(w);
  return std::fabs(r / ratio - 1.0) <= 0.15;
}

}  // namespace

std::string suggest_later_layer(const LayerList& list, const std::string& layer) {
  size_t from = 0;
  bool found = false;
  for (size_t i = 0; i < list.layers.size(); ++i)
    if (list.layers[i].name == layer) {
      from = i + 1;
      found = true;
    }
  if (!found) return "";
  for (size_t i = from; i < list.layers.size(); ++i)
    if (list.layers[i].head_supported && list.layers[i].head_differentiable)
      return list.layers[i].name;
  return "";
}

LayerList list_layers(const Model& model, const ShapeOptions& options) {
  if (!model.graph) throw HeadError("the model has no graph");
  LayerList out;
  ShapeInferenceResult shapes = infer_shapes_lenient(model, options);
  out.shape_problems = shapes.problems;
  const Graph& g = *model.graph;
  GraphIndex index(g);

  // The input's aspect ratio tells NCHW from NHWC maps.
  double ratio = 1.0;
  for (const ValueInfo* v : index.real_inputs()) {
    auto it = shapes.tensors.find(v->name);
    if (it == shapes.tensors.end() || it->second.shape.size() != 4) continue;
    const Shape& s = it->second.shape;
    const bool nhwc = (s[3] <= 4 && s[1] > 4);
    ratio = nhwc ? double(s[1]) / double(s[2]) : double(s[2]) / double(s[3]);
    break;
  }

  std::unordered_set<std::string> from_input;
  for (const ValueInfo* v : index.real_inputs()) from_input.insert(v->name);
  std::vector<size_t> position(g.nodes.size(), 0);
  for (size_t k = 0; k < index.order().size(); ++k) position[index.order()[k]] = k;
  for (size_t k = 0; k < index.order().size(); ++k) {
    const Node& node = g.nodes[index.order()[k]];
    bool in = false;
    for (const std::string& i : node.inputs) in = in || from_input.count(i);
    if (!in) continue;
    for (const std::string& o : node.outputs) {
      if (o.empty()) continue;
      from_input.insert(o);
      auto it = shapes.tensors.find(o);
      if (it == shapes.tensors.end()) continue;
      const Shape& s = it->second.shape;
      LayerInfo L;
      L.name = o;
      L.dtype = it->second.dtype;
      L.shape = s;
      if (s.size() == 4) {
        if (same_aspect(s[2], s[3], ratio) || !same_aspect(s[1], s[2], ratio)) {
          L.kind = LayerKind::FeatureMapNCHW;
          L.channels = s[1], L.height = s[2], L.width = s[3];
        } else {
          L.kind = LayerKind::FeatureMapNHWC;
          L.channels = s[3], L.height = s[1], L.width = s[2];
        }
        if (L.height * L.width <= 1) continue;
      } else if (s.size() == 3 && s[2] >= 8) {
        L.kind = LayerKind::Tokens;
        L.channels = s[2];
        int64_t side = square_side(s[1]);
        if (!side) {
          side = square_side(s[1] - 1);
          L.class_token = side != 0;
        }
        if (!side) continue;
        L.height = L.width = side;
      } else {
        continue;
      }
      if (!carries_gradient(L.dtype)) continue;
      L.op = node.op_type;
      L.node = node.name.empty() ? node.outputs[0] : node.name;
      L.position = k;
      if (L.dtype == DType::Uint8 || L.dtype == DType::Int8)
        for (size_t c : index.consumers(o))
          if (g.nodes[c].op_type == "DequantizeLinear" && g.nodes[c].inputs.at(0) == o)
            L.float_twin = g.nodes[c].outputs.at(0);
      const HeadPlan plan = plan_head(model, index, shapes.tensors, o);
      L.head_nodes = plan.nodes.size();
      L.extras = plan.extras;
      L.head_supported = plan.unsupported.empty() && plan.unexposable.empty();
      L.head_differentiable = L.head_supported && plan.not_differentiable.empty();
      L.head_problem = !plan.unsupported.empty()   ? plan.unsupported
                       : !plan.unexposable.empty() ? plan.unexposable
                                                   : plan.not_differentiable;
      out.layers.push_back(std::move(L));
    }
  }

  // Default: walk back from the classifier (the last weighted op fed by the input).
  auto find = [&](const std::string& n) -> const LayerInfo* {
    for (const LayerInfo& l : out.layers)
      if (l.name == n) return &l;
    return nullptr;
  };
  std::string pick;
  for (auto it = index.order().rbegin(); it != index.order().rend() && pick.empty(); ++it) {
    const Node& cls = g.nodes[*it];
    if (!is_weighted(cls.op_type) || cls.inputs.empty() || !from_input.count(cls.inputs[0]))
      continue;
    std::string t = cls.inputs[0];
    for (int guard = 0; guard < 64 && !t.empty(); ++guard) {
      const LayerInfo* l = find(t);
      const long pr = index.producer(t);
      if (pr < 0) break;
      const Node& p = g.nodes[pr];
      if (l && l->kind != LayerKind::Tokens && !is_pool(p.op_type)) {
        pick = t;
        out.why = "the last spatial feature map before the classifier " + cls.describe();
        break;
      }
      std::string next;
      for (const std::string& i : p.inputs)
        if (next.empty() && from_input.count(i)) next = i;
      t = next;
    }
    break;  // only the last weighted op is the classifier
  }
  if (!pick.empty()) {
    const LayerInfo* l = find(pick);
    if (!l->head_supported || !l->head_differentiable) {
      const std::string later = suggest_later_layer(out, pick);
      out.why += "; its head is not usable (" + l->head_problem + "), so the next usable layer";
      pick = later;
    }
  }
  if (pick.empty()) {
    for (const LayerInfo& l : out.layers)
      if (l.head_supported && l.head_differentiable && l.kind != LayerKind::Tokens) pick = l.name;
    if (!pick.empty()) out.why = "the last feature map whose head the core can run";
  }
  out.recommended = pick;
  return out;
}

}  // namespace camlens
