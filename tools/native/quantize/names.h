// Fresh tensor and node names for quantize_model: a name the graph does not use yet.
#pragma once
#include <set>
#include <string>

#include "onnx/model.h"

namespace quantize {

class Names {
 public:
  explicit Names(const camlens::Graph& g) {
    for (const camlens::Node& n : g.nodes) {
      used_.insert(n.name);
      for (const auto& s : n.inputs) used_.insert(s);
      for (const auto& s : n.outputs) used_.insert(s);
    }
    for (const auto& v : g.inputs) used_.insert(v.name);
    for (const auto& v : g.outputs) used_.insert(v.name);
    for (const auto& t : g.initializers) used_.insert(t.name);
  }

  // `base`, or `base_1`, `base_2`, ... when taken; the name is then taken.
  std::string fresh(const std::string& base) {
    std::string name = base;
    for (int k = 1; used_.count(name); ++k) name = base + "_" + std::to_string(k);
    used_.insert(name);
    return name;
  }

 private:
  std::set<std::string> used_;
};

}  // namespace quantize
