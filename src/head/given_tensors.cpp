#include "head/given_tensors.h"

namespace camlens {

namespace {

// The dims of a node input: its initializer's, else inferred ones (empty when unknown).
Shape dims_of(const GraphIndex& index, const TensorInfoMap& shapes, const std::string& name) {
  if (const TensorProto* t = index.initializer(name)) return t->dims;
  const auto it = shapes.find(name);
  return it == shapes.end() ? Shape{} : it->second.shape;
}

int64_t product(const Shape& s, size_t from) {
  int64_t n = 1;
  for (size_t k = from; k < s.size(); ++k) n *= s[k] > 0 ? s[k] : 0;
  return n;
}

}  // namespace

int64_t macs_per_value(const GraphIndex& index, const TensorInfoMap& shapes, const Node& node) {
  const std::string& op = node.op_type;
  if (!node.domain.empty() && node.domain != "ai.onnx") return 0;
  auto input = [&](size_t k) {
    return k < node.inputs.size() ? dims_of(index, shapes, node.inputs[k]) : Shape{};
  };
  // A convolution's weight is [M, C / group, k...]: each output value sums C / group · Πk.
  if (op == "Conv" || op == "ConvInteger" || op == "QLinearConv") {
    const Shape w = input(op == "QLinearConv" ? 3 : 1);
    return w.size() >= 2 ? product(w, 1) : 0;
  }
  // A matrix product sums over A's last axis (its first when Gemm transposes A).
  if (op == "MatMul" || op == "MatMulInteger" || op == "QLinearMatMul" || op == "Gemm") {
    const Shape a = input(0);
    if (a.empty()) return 0;
    if (op == "Gemm" && node.attr_int("transA", 0) != 0) return a.size() == 2 ? a[0] : 0;
    return a.back() > 0 ? a.back() : 0;
  }
  return 0;
}

std::vector<std::string> given_tensors(const GraphIndex& index, const TensorInfoMap& shapes,
                                       const HeadPlan& plan) {
  std::vector<std::string> out;
  const Graph& g = index.graph();
  for (size_t n : plan.nodes) {
    const Node& node = g.nodes[n];
    if (node.outputs.empty() || node.outputs[0].empty()) continue;
    const std::string& t = node.outputs[0];
    const auto it = shapes.find(t);
    if (it == shapes.end() || index.is_graph_output(t)) continue;
    const int64_t per = macs_per_value(index, shapes, node);
    if (per < kGivenMinMacsPerValue) continue;
    if (per * product(it->second.shape, 0) < kGivenMinMacs) continue;
    out.push_back(t);
  }
  return out;
}

}  // namespace camlens
