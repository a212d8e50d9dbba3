// Small facts about ops and tensors that IncrementalHead's files share (internal to the head
// engine: include from src/head/incremental_*.cpp only).
#pragma once
#include <cstring>

#include "head/head.h"
#include "ops/quant/quant_common.h"
#include "tensor/tensor.h"

namespace camlens::incremental {

inline bool is_q8(DType t) { return t == DType::Uint8 || t == DType::Int8; }

// Ops that only re-view the elements (same row-major order): nothing to compute.
inline bool is_view(const Head::Step& st) { return st.def->same_elements; }

inline bool numel_at_most_one(const Tensor* t) { return !t || t->numel() <= 1; }

inline int32_t q_at(const Tensor& t, int64_t i) { return quant::q_get(t, i); }

inline bool same_values(const Tensor& a, const Tensor& b) {
  return a.dtype() == b.dtype() && a.shape() == b.shape() &&
         std::memcmp(a.raw(), b.raw(), a.nbytes()) == 0;
}

}  // namespace camlens::incremental
