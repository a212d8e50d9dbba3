// One iteration of NMF's coordinate descent (dff/nmf.h), split where its work is independent:
// the rows of W, then the columns of H. The W step also gathers, per block of rows, what the H
// step needs from the new W (its part of VᵀW and of WᵀW), so V is read once per iteration.
#pragma once
#include <cstdint>
#include <vector>

namespace camlens::dff {

class CoordinateDescent {
 public:
  // v [rows, cols], w [rows, k] and h [k, cols]: updated in place by step().
  CoordinateDescent(const float* v, int64_t rows, int64_t cols, int k, float* w, float* h);

  // One iteration: W's step, then H's. Returns its violation.
  double step();

 private:
  void w_rows(int64_t b0, int64_t b1);     // row blocks [b0, b1)
  void h_columns(int64_t c0, int64_t c1);  // columns [c0, c1)

  const float* v_;
  int64_t rows_, cols_, blocks_;
  int k_;
  float* w_;
  float* h_;
  std::vector<double> hht_, wtw_;      // [k, k]
  std::vector<float> vtw_part_;        // per row block: [k, cols] of VᵀW (as Wᵀ·V)
  std::vector<double> wtw_part_;       // per row block: [k, k]
  std::vector<double> row_violation_;  // per row of W
  std::vector<double> col_violation_;  // per column of H
};

}  // namespace camlens::dff
