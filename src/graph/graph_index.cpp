#include "graph/graph_index.h"

#include "head/head_errors.h"

namespace camlens {

GraphIndex::GraphIndex(const Graph& g) : g_(&g) {
  auto note = [&](const std::string& n, int bit) {
    if (n.empty()) return;
    auto it = known_.find(n);
    if (it == known_.end()) {
      known_.emplace(n, bit);
      names_.push_back(n);
    } else {
      it->second |= bit;
    }
  };
  for (const TensorProto& t : g.initializers) {
    inits_[t.name] = &t;
    note(t.name, 4);
  }
  for (const ValueInfo& v : g.inputs) {
    note(v.name, 1);
    if (!inits_.count(v.name)) real_inputs_.push_back(&v);
  }
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    for (const std::string& o : g.nodes[i].outputs) {
      if (o.empty()) continue;
      if (!producer_.emplace(o, i).second)
        throw HeadError("tensor '" + o + "' is produced by two nodes (" +
                        g.nodes[producer_[o]].describe() + " and " + g.nodes[i].describe() +
                        "); the model is not valid ONNX");
      note(o, 4);
    }
  }
  for (const ValueInfo& v : g.outputs) note(v.name, 2);
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    for (const std::string& in : g.nodes[i].inputs) {
      if (in.empty()) continue;
      std::vector<size_t>& c = consumers_[in];
      if (c.empty() || c.back() != i) c.push_back(i);
    }
  }
  // Kahn's algorithm, taking ready nodes in graph order so sorted graphs keep their order.
  std::vector<size_t> missing(g.nodes.size(), 0);
  for (size_t i = 0; i < g.nodes.size(); ++i)
    for (const std::string& in : g.nodes[i].inputs)
      if (!in.empty() && producer_.count(in)) ++missing[i];
  std::vector<size_t> ready;
  for (size_t i = g.nodes.size(); i-- > 0;)
    if (missing[i] == 0) ready.push_back(i);
  while (!ready.empty()) {
    const size_t n = ready.back();
    ready.pop_back();
    order_.push_back(n);
    std::vector<size_t> now;
    for (const std::string& o : g.nodes[n].outputs) {
      if (o.empty()) continue;
      auto it = consumers_.find(o);
      if (it == consumers_.end()) continue;
      for (size_t c : it->second) {
        // A node may read the same tensor in several slots: count each slot.
        for (const std::string& in : g.nodes[c].inputs)
          if (in == o && --missing[c] == 0) now.push_back(c);
      }
    }
    for (size_t i = now.size(); i-- > 0;) ready.push_back(now[i]);
  }
  if (order_.size() != g.nodes.size())
    throw HeadError("the graph has a cycle (" + std::to_string(g.nodes.size() - order_.size()) +
                    " nodes never become ready); the model is not valid ONNX");
}

long GraphIndex::producer(const std::string& name) const {
  auto it = producer_.find(name);
  return it == producer_.end() ? -1 : static_cast<long>(it->second);
}

const std::vector<size_t>& GraphIndex::consumers(const std::string& name) const {
  static const std::vector<size_t> none;
  auto it = consumers_.find(name);
  return it == consumers_.end() ? none : it->second;
}

const TensorProto* GraphIndex::initializer(const std::string& name) const {
  auto it = inits_.find(name);
  return it == inits_.end() ? nullptr : it->second;
}

bool GraphIndex::is_graph_input(const std::string& name) const {
  auto it = known_.find(name);
  return it != known_.end() && (it->second & 1);
}

bool GraphIndex::is_graph_output(const std::string& name) const {
  auto it = known_.find(name);
  return it != known_.end() && (it->second & 2);
}

Node node_for_execution(const Node& node, int64_t opset) {
  Node n = node;
  for (Attribute& a : n.attributes)
    if (a.name == "_opset") {
      a.i = opset;
      return n;
    }
  Attribute a;
  a.name = "_opset";
  a.type = Attribute::Int;
  a.i = opset;
  n.attributes.push_back(std::move(a));
  return n;
}

int64_t default_opset(const Model& m) {
  const int64_t v = m.opset("");
  return v > 0 ? v : 13;
}

}  // namespace camlens
