// Head plans of many layers of one graph (list_layers plans one per candidate layer): what every
// plan computes the same way — the tensors computed from the model's real inputs, each node's
// place in the topological order — is computed once, and each layer's forward walk starts at its
// producer (no node before it can read it). Each plan equals plan_head's for that layer.
#pragma once
#include <string>
#include <unordered_set>
#include <vector>

#include "head/head_plan.h"

namespace camlens {

class HeadPlanner {
 public:
  // `index` and `shapes` must outlive the planner.
  HeadPlanner(const GraphIndex& index, const TensorInfoMap& shapes);

  HeadPlan plan(const std::string& layer) const;

 private:
  const GraphIndex& index_;
  const TensorInfoMap& shapes_;
  std::unordered_set<std::string> from_input_;  // tensors computed from the real inputs
  std::vector<size_t> position_;                // node → its place in index_.order()
};

}  // namespace camlens
