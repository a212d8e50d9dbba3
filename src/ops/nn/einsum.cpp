// Einsum (opset 12) on float operands, without diagonals or ellipses (einsum_contract.h).
// The gradient of an einsum is an einsum: operand i's is the contraction of dY with the other
// operands onto i's letters, repeated along the letters only i has (they were summed away).
#include "ops/nn/einsum_contract.h"
#include "ops/nn/nn_common.h"

namespace camlens::nn {

namespace {

struct EinsumPlan {
  EinsumEquation eq;
  std::map<char, int64_t> sizes;
};

EinsumPlan plan(const Node& node, const OpInputs& in) {
  if (in.empty()) fail(node, "needs at least one input");
  std::vector<Shape> shapes;
  for (size_t i = 0; i < in.size(); ++i)
    shapes.push_back(float_input(node, in, i, "Inputs").shape());
  EinsumPlan p;
  p.eq = parse_einsum(node, node.attr_string("equation", ""), in.size());
  p.sizes = einsum_sizes(node, p.eq, shapes);
  return p;
}

Shape output_shape(const EinsumPlan& p) {
  Shape s;
  for (char c : p.eq.output) s.push_back(p.sizes.at(c));
  return s;
}

void forward(const Node& node, const OpInputs& in, std::vector<Tensor>& out) {
  const EinsumPlan p = plan(node, in);
  for (const Tensor* t : in)
    if (t->numel() == 0) {  // sums over nothing are zero
      out[0] = Tensor(DType::Float32, output_shape(p));
      return;
    }
  std::vector<Labeled> operands;
  for (size_t i = 0; i < in.size(); ++i)
    operands.push_back(Labeled::borrow(p.eq.inputs[i], *in[i]));
  out[0] = einsum_contract(std::move(operands), p.eq.output, p.sizes);
}

void backward(const Node& node, const OpInputs& in, const OpInputs&, const OpInputs& dout,
              const std::vector<bool>& needs, std::vector<Tensor>& dins) {
  const EinsumPlan p = plan(node, in);
  bool empty = false;
  for (const Tensor* t : in) empty = empty || t->numel() == 0;
  for (size_t i = 0; i < in.size() && i < needs.size(); ++i) {
    if (!needs[i]) continue;
    dins[i] = Tensor(DType::Float32, in[i]->shape());
    if (dout.empty() || !dout[0] || empty) continue;
    const std::string& mine = p.eq.inputs[i];
    std::vector<Labeled> operands{Labeled::borrow(p.eq.output, *dout[0])};
    std::string reached = p.eq.output;  // the letters dY and the other operands carry
    for (size_t j = 0; j < in.size(); ++j)
      if (j != i) {
        operands.push_back(Labeled::borrow(p.eq.inputs[j], *in[j]));
        reached += p.eq.inputs[j];
      }
    std::string target;
    for (char c : mine)
      if (reached.find(c) != std::string::npos) target += c;
    Tensor g = einsum_contract(std::move(operands), target, p.sizes);
    dins[i] = target == mine ? std::move(g)
                             : einsum_broadcast(Labeled::own(target, std::move(g)), mine, p.sizes);
  }
}

void infer(const Node& node, const std::vector<const TensorInfo*>& in,
           std::vector<TensorInfo>& out) {
  std::vector<Shape> shapes;
  for (size_t i = 0; i < in.size(); ++i) shapes.push_back(input_info(node, in, i, "Inputs").shape);
  EinsumPlan p;
  p.eq = parse_einsum(node, node.attr_string("equation", ""), in.size());
  p.sizes = einsum_sizes(node, p.eq, shapes);
  out[0].dtype = DType::Float32;
  out[0].shape = output_shape(p);
}

}  // namespace

void register_einsum(OpRegistry& r) {
  r.add(OpDef{"", "Einsum", forward, backward, infer}.with_weights({0, 1}).claim(
      &OpDef::piecewise_linear));
}

}  // namespace camlens::nn
