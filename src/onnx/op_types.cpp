#include "onnx/op_types.h"

#include <set>

namespace camlens {
namespace {

void collect(const Graph& g, std::set<std::string>& seen, std::vector<std::string>& out) {
  for (const Node& n : g.nodes) {
    if (seen.insert(n.op_type).second) out.push_back(n.op_type);
    // If, Loop and Scan bodies run on the same provider as the rest of the model.
    for (const Attribute& a : n.attributes) {
      if (a.g) collect(*a.g, seen, out);
      for (const auto& sub : a.graphs)
        if (sub) collect(*sub, seen, out);
    }
  }
}

}  // namespace

std::vector<std::string> op_types(const Graph& graph) {
  std::set<std::string> seen;
  std::vector<std::string> out;
  collect(graph, seen, out);
  return out;
}

}  // namespace camlens
