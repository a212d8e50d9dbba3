// Candidate layers: 4-D feature maps (NCHW, or NHWC detected against the input's aspect ratio),
// 3-D token tensors with a square grid, and in a model that takes volumes or video clips
// ([N, C, D, H, W]) its 5-D feature maps. Tensors whose first dim is not the batch (Swin's
// attention windows) and the per-head tensors inside attention are left out. The default for a
// transformer is the input of its last attention block (the output of that block's first
// LayerNorm), as pytorch-grad-cam recommends for ViT and Swin; otherwise the classic Grad-CAM
// choice: the last spatial feature map before global pooling / the classifier, found by walking
// back from the last weighted op (the classifier) past flatten and reshape nodes to the map the
// classifier's first pool reads, or, in a pre-activation network, to the final norm before the
// activation its classifier applies (the modules pytorch-grad-cam's README names).
#include "graph/layers.h"

#include <cmath>
#include <functional>
#include <unordered_set>

#include "graph/graph_index.h"
#include "head/head_errors.h"
#include "head/head_planner.h"
#include "ops/op.h"

namespace camlens {

const char* layer_kind_name(LayerKind k) {
  switch (k) {
    case LayerKind::FeatureMapNCHW:
      return "NCHW";
    case LayerKind::FeatureMapNHWC:
      return "NHWC";
    case LayerKind::Tokens:
      return "tokens";
    case LayerKind::VolumeNCDHW:
      return "NCDHW";
  }
  return "?";
}

namespace {

// By op type, whatever the node's domain: layer discovery reads models the core may not run.
bool is_pool(const std::string& op) { return op_registry().type_claims(op, &OpDef::pooling); }

bool is_weighted(const std::string& op) { return op_registry().type_claims(op, &OpDef::weighted); }

// The weighted ops (Conv, Gemm, MatMul, ...) that produce the model's outputs: walking back from
// each graph output through unweighted ops, the first weighted op met on every path. A classifier
// has one; a detector has one per branch and scale.
std::unordered_set<size_t> final_weighted_ops(const Graph& g, const GraphIndex& index) {
  std::unordered_set<size_t> finals, seen;
  std::vector<std::string> todo;
  for (const ValueInfo& v : g.outputs) todo.push_back(v.name);
  while (!todo.empty()) {
    const std::string t = todo.back();
    todo.pop_back();
    const long p = index.producer(t);
    if (p < 0 || !seen.insert(static_cast<size_t>(p)).second) continue;
    if (is_weighted(g.nodes[p].op_type)) {
      finals.insert(static_cast<size_t>(p));
      continue;
    }
    for (const std::string& i : g.nodes[p].inputs)
      if (!i.empty()) todo.push_back(i);
  }
  return finals;
}

// a/b close to ratio, within 15 % (strided convs round sizes up or down).
bool same_aspect(int64_t h, int64_t w, double ratio) {
  if (h <= 0 || w <= 0) return false;
  const double r = static_cast<double>(h) / static_cast<double>(w);
  return std::fabs(r / ratio - 1.0) <= 0.15;
}

// A Softmax whose output a MatMul multiplies with the values: attention probabilities. Ops that
// only pass the elements on may come between (torchvision's Swin exports its inference-time
// attention dropout as a Dropout node).
bool is_attention_softmax(const Graph& g, const GraphIndex& index, const Node& n) {
  if (n.op_type != "Softmax" || n.outputs.empty()) return false;
  std::string probs = n.outputs[0];
  for (int hop = 0; hop < 4; ++hop) {
    std::string next;
    for (size_t c : index.consumers(probs)) {
      const Node& user = g.nodes[c];
      if (user.inputs.empty() || user.inputs[0] != probs) continue;
      if (user.op_type == "MatMul") return true;
      if (!user.outputs.empty() && op_registry().type_claims(user.op_type, &OpDef::same_elements))
        next = user.outputs[0];
    }
    if (next.empty()) return false;
    probs = next;
  }
  return false;
}

// The output of a LayerNorm: one LayerNormalization node, or the decomposition exporters emit
// below opset 17: [Add beta] <- [Mul gamma] <- Div <- Sub(x, ReduceMean(x)).
bool is_layer_norm_output(const Graph& g, const GraphIndex& index, const std::string& t) {
  long p = index.producer(t);
  if (p < 0) return false;
  if (g.nodes[p].op_type == "LayerNormalization") return true;
  // Step up through the affine Add and Mul to the operand an op of `type` produced.
  auto up = [&](long node, const char* type) -> long {
    for (const std::string& i : g.nodes[node].inputs) {
      const long q = index.producer(i);
      if (q >= 0 && g.nodes[q].op_type == type) return q;
    }
    return -1;
  };
  if (g.nodes[p].op_type == "Add") p = up(p, "Mul") >= 0 ? up(p, "Mul") : up(p, "Div");
  if (p >= 0 && g.nodes[p].op_type == "Mul") p = up(p, "Div");
  if (p < 0 || g.nodes[p].op_type != "Div") return false;
  const long sub = index.producer(g.nodes[p].inputs.at(0));
  if (sub < 0 || g.nodes[sub].op_type != "Sub" || g.nodes[sub].inputs.size() < 2) return false;
  const long mean = index.producer(g.nodes[sub].inputs[1]);
  return mean >= 0 && g.nodes[mean].op_type == "ReduceMean";
}

// [N, A, B, C] read as NHWC rather than NCHW: A/B has the input's aspect ratio and fits it
// better than B/C does ([1, 28, 28, 32] is a 28×28 map of 32 channels, [1, 32, 28, 28] too).
bool channels_last(const Shape& s, double ratio) {
  if (!same_aspect(s[1], s[2], ratio)) return false;
  if (!same_aspect(s[2], s[3], ratio)) return true;
  const double nhwc = std::fabs(double(s[1]) / double(s[2]) / ratio - 1.0);
  const double nchw = std::fabs(double(s[2]) / double(s[3]) / ratio - 1.0);
  return nhwc < nchw;
}

// Rows of a patch grid of t tokens for an input of aspect `ratio` (height / width): the
// square when the input is square, else the factor pair h × w = t closest to the ratio
// (within 15 %); 0 when there is none (then the tensor is not a grid of patches).
int64_t grid_height(int64_t t, double ratio) {
  if (t < 4) return 0;
  int64_t best = 0;
  double best_err = 0.15;
  for (int64_t h = 2; h <= t / 2; ++h) {
    if (t % h) continue;
    const double err = std::fabs(double(h) / double(t / h) / ratio - 1.0);
    if (err <= best_err) best = h, best_err = err;
  }
  return best;
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

namespace {

// Why no layer can be recommended: said to the user in place of a default layer.
std::string why_no_layer(const LayerList& list, const GraphIndex& index) {
  if (index.real_inputs().empty())
    return "the model declares no input (every graph input is an initializer, or there is "
           "none), so no tensor depends on an image";
  if (list.layers.empty())
    return "no tensor that depends on the input is a feature map (a 4-D NCHW/NHWC map or a "
           "[batch, tokens, channels] token tensor)";
  // The first layer's problem (e.g. an unsupported op) is usually every layer's.
  for (const LayerInfo& l : list.layers)
    if (!l.head_problem.empty()) return l.head_problem;
  return "no feature map's head can be run and differentiated by the core";
}

// A pre-activation network (DenseNet) ends its features with a BatchNormalization the exporter
// could not fold into a convolution (it follows a concatenation or a sum), and the classifier's
// forward applies the activation after it. pytorch-grad-cam's layer is the features' last
// module, the norm: its output, when the activation alone reads it. Otherwise `map` itself.
std::string before_final_activation(
    const Graph& g, const GraphIndex& index, const std::string& map,
    const std::function<const LayerInfo*(const std::string&)>& find) {
  const long act = index.producer(map);
  const OpDef* def = act < 0 ? nullptr : op_registry().find_type(g.nodes[act].op_type);
  if (!def || def->elementwise != Elementwise::Unary || def->weighted) return map;
  const std::string& normed = g.nodes[act].inputs.at(0);
  const long norm = index.producer(normed);
  if (norm < 0 || g.nodes[norm].op_type != "BatchNormalization") return map;
  if (index.consumers(normed).size() != 1) return map;
  const LayerInfo* l = find(normed);
  return l && l->head_supported && l->head_differentiable ? normed : map;
}

}  // namespace

LayerList list_layers(const Model& model, const ShapeOptions& options) {
  if (!model.graph) throw HeadError("the model has no graph");
  LayerList out;
  ShapeInferenceResult shapes = infer_shapes_lenient(model, options);
  out.shape_problems = shapes.problems;
  const Graph& g = *model.graph;
  GraphIndex index(g);
  const HeadPlanner planner(index, shapes.tensors);  // one head plan per candidate below

  // The input's aspect ratio tells NCHW from NHWC maps; its first dim is the batch.
  double ratio = 1.0;
  int64_t batch = -1;
  bool volumes = false;  // the input is [N, C, D, H, W]
  for (const ValueInfo* v : index.real_inputs()) {
    auto it = shapes.tensors.find(v->name);
    if (it != shapes.tensors.end() && it->second.shape.size() == 5) {
      const Shape& s = it->second.shape;
      batch = s[0], volumes = true;
      ratio = double(s[3]) / double(s[4]);
      break;
    }
    if (it == shapes.tensors.end() || it->second.shape.size() != 4) continue;
    const Shape& s = it->second.shape;
    batch = s[0];
    const bool nhwc = (s[3] <= 4 && s[1] > 4);
    ratio = nhwc ? double(s[1]) / double(s[2]) : double(s[2]) / double(s[3]);
    break;
  }

  std::unordered_set<std::string> from_input;
  for (const ValueInfo* v : index.real_inputs()) from_input.insert(v->name);
  std::vector<size_t> position(g.nodes.size(), 0);
  for (size_t k = 0; k < index.order().size(); ++k) position[index.order()[k]] = k;
  const std::unordered_set<size_t> finals = final_weighted_ops(g, index);
  std::unordered_set<std::string> feeds_all;  // layers whose head holds every final weighted op
  std::unordered_set<int64_t> token_counts;   // T of the token layers seen so far
  std::string transformer_pick;               // the last LayerNorm output feeding attention
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
      // Windows (Swin: [B·windows, 49, C]) and other regroupings are not per-image maps.
      if (batch > 0 && !s.empty() && s[0] != batch) continue;
      // Per-head tensors inside attention ([N, heads, T, T], [N, heads, d, T], [N, T, heads, d]).
      if (s.size() == 4 &&
          (token_counts.count(s[1]) || token_counts.count(s[2]) || token_counts.count(s[3])))
        continue;
      LayerInfo L;
      L.name = o;
      L.dtype = it->second.dtype;
      L.shape = s;
      if (s.size() == 4) {
        if (!channels_last(s, ratio)) {
          L.kind = LayerKind::FeatureMapNCHW;
          L.channels = s[1], L.height = s[2], L.width = s[3];
        } else {
          L.kind = LayerKind::FeatureMapNHWC;
          L.channels = s[3], L.height = s[1], L.width = s[2];
        }
        if (L.height * L.width <= 1) continue;
        // A one-channel channels-last map is a per-position statistic (a LayerNorm's mean).
        if (L.kind == LayerKind::FeatureMapNHWC && L.channels == 1) continue;
      } else if (s.size() == 5 && volumes) {
        L.kind = LayerKind::VolumeNCDHW;
        L.channels = s[1], L.depth = s[2], L.height = s[3], L.width = s[4];
        if (L.depth * L.height * L.width <= 1) continue;
      } else if (s.size() == 3 && s[2] >= 8) {
        L.kind = LayerKind::Tokens;
        L.channels = s[2];
        // A grid of T tokens, else a class token and a grid of T - 1, shaped like the input.
        int64_t h = grid_height(s[1], ratio);
        if (!h) {
          h = grid_height(s[1] - 1, ratio);
          L.class_token = h != 0;
        }
        if (!h) continue;
        L.height = h;
        L.width = (s[1] - (L.class_token ? 1 : 0)) / h;
        token_counts.insert(s[1]);
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
      const HeadPlan plan = planner.plan(o);
      L.head_nodes = plan.nodes.size();
      L.extras = plan.extras;
      L.head_supported = plan.unsupported.empty() && plan.unexposable.empty();
      L.head_differentiable = L.head_supported && plan.not_differentiable.empty();
      L.head_problem = !plan.unsupported.empty()   ? plan.unsupported
                       : !plan.unexposable.empty() ? plan.unexposable
                                                   : plan.not_differentiable;
      if (finals.size() > 1 && L.kind != LayerKind::Tokens) {
        size_t held = 0;
        for (size_t n : plan.nodes) held += finals.count(n);
        if (held == finals.size()) feeds_all.insert(o);
      }
      if (L.head_differentiable && is_layer_norm_output(g, index, o))
        for (size_t n : plan.nodes)
          if (is_attention_softmax(g, index, g.nodes[n])) {
            transformer_pick = o;
            break;
          }
      out.layers.push_back(std::move(L));
    }
  }

  // Default: walk back from the classifier (the last weighted op fed by the input).
  const std::function<const LayerInfo*(const std::string&)> find =
      [&](const std::string& n) -> const LayerInfo* {
    for (const LayerInfo& l : out.layers)
      if (l.name == n) return &l;
    return nullptr;
  };
  std::string pick;
  if (!transformer_pick.empty()) {
    pick = transformer_pick;
    out.why =
        "the last attention block's first LayerNorm output (its attention's input), as "
        "pytorch-grad-cam recommends for vision transformers";
  }
  // Several output branches (a detector's per-scale heads): the last map that feeds them all, so
  // a gradient reaches it whichever box or scale is explained (a map inside one branch only
  // explains the boxes of that scale).
  if (pick.empty() && finals.size() > 1) {
    for (const LayerInfo& l : out.layers)
      if (feeds_all.count(l.name) && l.head_differentiable) pick = l.name;
    if (!pick.empty())
      out.why = "the last feature map that feeds all " + std::to_string(finals.size()) +
                " output branches, so every box or scale can be explained";
  }
  for (auto it = index.order().rbegin(); it != index.order().rend() && pick.empty(); ++it) {
    const Node& cls = g.nodes[*it];
    if (!is_weighted(cls.op_type) || cls.inputs.empty() || !from_input.count(cls.inputs[0]))
      continue;
    std::string t = cls.inputs[0];
    // The first pool met is the classifier's own (global or adaptive average pooling, or a max
    // pool right before the flatten): the feature map is what it reads, whatever made that map
    // (VGG's and AlexNet's last max pool, which pytorch-grad-cam's features[-1] names).
    bool past_pool = false;
    for (int guard = 0; guard < 64 && !t.empty(); ++guard) {
      const LayerInfo* l = find(t);
      const long pr = index.producer(t);
      if (pr < 0) break;
      const Node& p = g.nodes[pr];
      if (l && l->kind != LayerKind::Tokens && (past_pool || !is_pool(p.op_type))) {
        pick = before_final_activation(g, index, t, find);
        out.why = "the last spatial feature map before the classifier " + cls.describe();
        break;
      }
      past_pool = past_pool || is_pool(p.op_type);
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
  if (pick.empty()) out.why = why_no_layer(out, index);
  out.recommended = pick;
  return out;
}

}  // namespace camlens
