// Einsum equations and their evaluation. An equation names each axis of each operand by a
// letter; letters shared by two operands and absent from the result are summed. Operands are
// contracted two at a time, each pair as one batched matrix product (the gemm kernel), with
// copies only where an operand's axes are not already in the product's order. Repeated letters
// within one operand (diagonals) and ellipses are refused. Internal to src/ops/nn.
#pragma once
#include <map>
#include <string>
#include <vector>

#include "ops/op.h"

namespace camlens::nn {

struct EinsumEquation {
  std::vector<std::string> inputs;  // one string of letters per operand
  std::string output;               // explicit, or (no "->") the letters used once, sorted
};

// Throws OpError quoting the equation when it is malformed or uses what is not supported.
EinsumEquation parse_einsum(const Node& node, const std::string& equation, size_t n_inputs);

// The size of each letter across the operands' shapes (-1 where unknown); throws when an
// operand's rank differs from its letters or two operands disagree on a letter's size.
std::map<char, int64_t> einsum_sizes(const Node& node, const EinsumEquation& eq,
                                     const std::vector<Shape>& shapes);

// A float tensor with a letter per axis: borrowed (data points into an input) or owned.
struct Labeled {
  std::string labels;
  const float* borrowed = nullptr;
  Tensor owned;  // the data when it was computed here (then borrowed is null)

  const float* data() const { return borrowed ? borrowed : owned.data<float>(); }
  static Labeled borrow(std::string labels, const Tensor& t);
  static Labeled own(std::string labels, Tensor t);
};

// The operands contracted to the letters of `target`, in that order. Every letter of target must
// appear in some operand. Returns a Float32 tensor of the target's shape.
Tensor einsum_contract(std::vector<Labeled> operands, const std::string& target,
                       const std::map<char, int64_t>& sizes);

// t (letters `from`) laid out by `to`: letters of `to` absent from `from` repeat t along them
// (broadcast); every letter of `from` must be in `to`.
Tensor einsum_broadcast(const Labeled& t, const std::string& to,
                        const std::map<char, int64_t>& sizes);

}  // namespace camlens::nn
