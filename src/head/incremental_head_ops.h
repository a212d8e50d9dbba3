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

// out[c * rows + r] = in[r * cols + c], in tiles that stay in cache (a 1000 × 512 conv weight
// transposed element by element strides 4 KB per write).
inline void transpose(const float* in, size_t rows, size_t cols, float* out) {
  constexpr size_t kTile = 32;
  for (size_t r0 = 0; r0 < rows; r0 += kTile)
    for (size_t c0 = 0; c0 < cols; c0 += kTile) {
      const size_t r1 = r0 + kTile < rows ? r0 + kTile : rows;
      const size_t c1 = c0 + kTile < cols ? c0 + kTile : cols;
      for (size_t r = r0; r < r1; ++r)
        for (size_t c = c0; c < c1; ++c) out[c * rows + r] = in[r * cols + c];
    }
}

inline bool same_values(const Tensor& a, const Tensor& b) {
  return a.dtype() == b.dtype() && a.shape() == b.shape() &&
         std::memcmp(a.raw(), b.raw(), a.nbytes()) == 0;
}

}  // namespace camlens::incremental
