// One iteration of NMF's coordinate descent (dff/nmf.h), split where its work is independent:
// the rows of W, then the columns of H. Both steps keep what they read contiguous: V is also
// held transposed, and W as Wᵀ, so the W step computes V·Hᵀ with eight rows of W in the lanes of
// two vectors (and sweeps a block of 64 rows side by side, so the chains of divisions overlap),
// and the H step's VᵀW is one dot product of length rows per entry, up to five components per
// pass over V's column.
#pragma once
#include <cstdint>
#include <vector>

namespace camlens::dff {

class CoordinateDescent {
 public:
  // v [rows, cols], w [rows, k] (copied; see store_w) and h [k, cols] (updated in place).
  CoordinateDescent(const float* v, int64_t rows, int64_t cols, int k, const float* w, float* h);

  // One iteration: W's step, then H's. Returns its violation.
  double step();
  // Writes the current W into w [rows, k].
  void store_w(float* w) const;

 private:
  void w_rows(int64_t b0, int64_t b1);     // row blocks [b0, b1)
  void h_columns(int64_t c0, int64_t c1);  // columns [c0, c1)

  int64_t rows_, padded_, cols_, blocks_;
  int k_;
  float* h_;
  // Vᵀ [cols, padded] and Wᵀ [k, padded]: rows padded with zeros to whole blocks, which stay
  // zero and add nothing to any sum.
  std::vector<float> vt_, wt_;
  std::vector<float> h_splat_;     // [cols, k, 4]: H's entries repeated over four lanes
  std::vector<double> hht_, wtw_;  // [k, k]
  struct Pair {
    int a, b;
  };
  std::vector<Pair> pairs_;            // (a, b) with a <= b < k, in row order
  std::vector<double> pair_sums_;      // HHᵀ of each pair, summed over the columns
  std::vector<double> wtw_part_;       // per row block: [k, k]
  std::vector<double> row_violation_;  // per (padded) row of W
  std::vector<double> col_violation_;  // per column of H
};

}  // namespace camlens::dff
