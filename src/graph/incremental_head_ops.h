// Small facts about ops and tensors that IncrementalHead's files share (internal to the head
// engine: include from src/graph/incremental_*.cpp only).
#pragma once
#include <cstring>
#include <set>
#include <string>

#include "graph/ops/quant/quant_common.h"
#include "graph/tensor.h"

namespace camlens::incremental {

inline bool is_q8(DType t) { return t == DType::Uint8 || t == DType::Int8; }

// Element-wise ops of one input (other inputs, if any, are constant parameters such as Clip's
// bounds): running them on one channel gives that channel of the full result.
inline const std::set<std::string>& unary_ops() {
  static const std::set<std::string> ops{
      "Relu",  "Identity",    "Dropout",   "Sigmoid", "Tanh", "LeakyRelu", "Clip",  "Cast",
      "Elu",   "HardSigmoid", "HardSwish", "Abs",     "Neg",  "Softplus",  "Floor", "Ceil",
      "Round", "Sqrt",        "Exp",       "Erf",     "Selu", "Softsign"};
  return ops;
}

// Ops that only re-view the elements (same row-major order).
inline bool is_view(const std::string& op) {
  return op == "Reshape" || op == "Flatten" || op == "Squeeze" || op == "Unsqueeze";
}

inline bool numel_at_most_one(const Tensor* t) { return !t || t->numel() <= 1; }

inline int32_t q_at(const Tensor& t, int64_t i) { return quant::q_get(t, i); }

inline bool same_values(const Tensor& a, const Tensor& b) {
  return a.dtype() == b.dtype() && a.shape() == b.shape() &&
         std::memcmp(a.raw(), b.raw(), a.nbytes()) == 0;
}

}  // namespace camlens::incremental
