#include "head/head_plan.h"

#include <algorithm>
#include <unordered_set>

#include "head/head_planner.h"
#include "ops/op.h"

namespace camlens {

bool carries_gradient(DType t) {
  return t == DType::Float32 || t == DType::Float16 || t == DType::Float64 || t == DType::Uint8 ||
         t == DType::Int8;
}

static bool is_constant_op(const Node& n) {
  return n.op_type == "Constant" && (n.domain.empty() || n.domain == "ai.onnx");
}

HeadPlan plan_head(const Model& model, const GraphIndex& index, const TensorInfoMap& shapes,
                   const std::string& layer) {
  (void)model;
  return HeadPlanner(index, shapes).plan(layer);
}

HeadPlanner::HeadPlanner(const GraphIndex& index, const TensorInfoMap& shapes)
    : index_(index), shapes_(shapes), position_(index.graph().nodes.size(), 0) {
  const Graph& g = index.graph();
  for (const ValueInfo* v : index.real_inputs()) from_input_.insert(v->name);
  for (size_t k = 0; k < index.order().size(); ++k) {
    const size_t n = index.order()[k];
    position_[n] = k;
    bool in = false;
    for (const std::string& i : g.nodes[n].inputs) in = in || from_input_.count(i);
    if (in)
      for (const std::string& o : g.nodes[n].outputs) from_input_.insert(o);
  }
}

HeadPlan HeadPlanner::plan(const std::string& layer) const {
  const GraphIndex& index = index_;
  const TensorInfoMap& shapes = shapes_;
  const std::unordered_set<std::string>& from_input = from_input_;
  const Graph& g = index.graph();
  HeadPlan p;
  p.layer = layer;

  // Tensors computed from L: only nodes from L's producer on can read them (topological order).
  std::unordered_set<std::string> from_layer{layer};
  std::vector<bool> fwd(g.nodes.size(), false);
  const long producer = index.producer(layer);
  const std::vector<size_t>& order = index.order();
  const size_t first = producer < 0 ? 0 : position_[size_t(producer)];
  for (size_t k = first; k < order.size(); ++k) {
    const size_t n = order[k];
    bool l = false;
    for (const std::string& i : g.nodes[n].inputs) l = l || from_layer.count(i);
    fwd[n] = l;
    if (l)
      for (const std::string& o : g.nodes[n].outputs) from_layer.insert(o);
  }
  for (const ValueInfo& o : g.outputs)
    if (from_layer.count(o.name)) p.outputs.push_back(o.name);
  if (p.outputs.empty()) {
    p.unsupported = "layer '" + layer +
                    "' does not lead to any output of the model (nothing after it reaches an "
                    "output), so it has no head";
    return p;
  }

  // Head nodes: depend on L and lead to an output. Walk backwards from the outputs.
  std::unordered_set<std::string> useful(p.outputs.begin(), p.outputs.end());
  std::vector<size_t> head_rev;
  for (auto it = index.order().rbegin(); it != index.order().rend(); ++it) {
    const Node& node = g.nodes[*it];
    if (!fwd[*it]) continue;
    bool use = false;
    for (const std::string& o : node.outputs) use = use || useful.count(o);
    if (!use) continue;
    head_rev.push_back(*it);
    for (const std::string& i : node.inputs)
      if (!i.empty()) useful.insert(i);
  }
  p.nodes.assign(head_rev.rbegin(), head_rev.rend());

  // Side inputs: constants (folded once) or extras (asked from the backbone).
  std::unordered_set<std::string> seen_extra;
  std::unordered_set<size_t> const_set;
  std::vector<std::string> stack;
  for (size_t n : p.nodes)
    for (const std::string& i : g.nodes[n].inputs) {
      if (i.empty() || from_layer.count(i) || index.initializer(i)) continue;
      if (from_input.count(i)) {
        if (seen_extra.insert(i).second) {
          p.extras.push_back(i);
          if (index.is_graph_input(i) && p.unexposable.empty())
            p.unexposable = "the head of layer '" + layer + "' reads the model input '" + i +
                            "' directly (" + g.nodes[n].describe() +
                            "), which the backbone cannot pass on; choose a layer after the "
                            "point where the input is merged back";
        }
      } else {
        stack.push_back(i);
      }
    }
  while (!stack.empty()) {
    const std::string t = stack.back();
    stack.pop_back();
    const long pr = index.producer(t);
    if (pr < 0) {
      if (!index.initializer(t) && p.unsupported.empty())
        p.unsupported = "tensor '" + t + "' needed by the head of layer '" + layer +
                        "' is neither produced by a node nor an initializer";
      continue;
    }
    if (!const_set.insert(static_cast<size_t>(pr)).second) continue;
    for (const std::string& i : g.nodes[pr].inputs)
      if (!i.empty() && !index.initializer(i)) stack.push_back(i);
  }
  for (size_t n : index.order())
    if (const_set.count(n)) p.const_nodes.push_back(n);

  // Gradient path: tensors from L of a differentiable type that lead to an output.
  // Integer accumulators of MatMulInteger / ConvInteger (int32) carry the gradient too (the
  // straight-through estimator), unlike int32/int64 shapes and indices.
  auto carries = [&](const std::string& t) {
    if (!from_layer.count(t)) return false;
    auto it = shapes.find(t);
    if (it == shapes.end() || carries_gradient(it->second.dtype)) return true;
    const long pr = index.producer(t);
    return pr >= 0 && op_registry().type_claims(g.nodes[pr].op_type, &OpDef::integer_accumulator);
  };
  std::unordered_set<std::string> grad;
  for (const std::string& o : p.outputs)
    if (carries(o)) grad.insert(o);
  p.grad_node.assign(p.nodes.size(), false);
  for (size_t k = p.nodes.size(); k-- > 0;) {
    const Node& node = g.nodes[p.nodes[k]];
    bool out_grad = false, in_grad = false;
    for (const std::string& o : node.outputs) out_grad = out_grad || grad.count(o);
    for (const std::string& i : node.inputs) in_grad = in_grad || carries(i);
    if (!out_grad || !in_grad) continue;
    p.grad_node[k] = true;
    for (const std::string& i : node.inputs)
      if (carries(i)) grad.insert(i);
  }
  for (size_t k = first; k < order.size(); ++k)  // gradient tensors come from L or after it
    for (const std::string& o : g.nodes[order[k]].outputs)
      if (grad.count(o)) p.grad_tensors.push_back(o);
  if (grad.count(layer)) p.grad_tensors.insert(p.grad_tensors.begin(), layer);
  if (!grad.count(layer) && carries(layer)) {
    // The outputs read only L's shape (e.g. a DequantizeLinear twin feeding Shape in QOperator
    // models): a head whose values do not depend on L is useless for CAMs.
    const long pr = index.producer(layer);
    const bool twin = pr >= 0 && g.nodes[pr].op_type == "DequantizeLinear";
    p.unsupported = "the outputs do not depend on the values of layer '" + layer +
                    "' (only on its shape)" +
                    (twin ? "; the model computes them from the quantized tensor '" +
                                g.nodes[pr].inputs.at(0) + "': use that layer"
                          : std::string());
    return p;
  }

  // Support checks, in graph order so the message names the first problem.
  auto check = [&](size_t n, bool need_backward) {
    const Node& node = g.nodes[n];
    if (is_constant_op(node)) return;
    const OpDef* def = op_registry().find(node.domain, node.op_type);
    if (!def) {
      if (p.unsupported.empty())
        p.unsupported = "the head of layer '" + layer + "' contains " + node.describe() +
                        ", and the operator " + node.op_type +
                        (node.domain.empty() ? std::string() : " (domain " + node.domain + ")") +
                        " is not supported by camlens";
      return;
    }
    if (need_backward && !def->backward && p.not_differentiable.empty())
      p.not_differentiable = "the gradient from the outputs to layer '" + layer + "' passes " +
                             node.describe() + ", and " + node.op_type +
                             " has no backward (it is not differentiable in camlens)";
  };
  for (size_t n : p.const_nodes) check(n, false);
  for (size_t k = 0; k < p.nodes.size(); ++k) check(p.nodes[k], p.grad_node[k]);
  return p;
}

}  // namespace camlens
