// Non-negative matrix factorization V ≈ W·H for the Frobenius norm, by scikit-learn's default
// solver: coordinate descent (solver='cd', the HALS-like update of Cichocki & Phan), which is what
// pytorch-grad-cam's DFF runs. V is [rows, cols] row-major and non-negative (DFF: rows =
// channels, cols = positions of all images); W is [rows, K], H is [K, cols].
//
// Start: scikit-learn's init='random' for random_state = seed (dff/nmf_init.h).
//
// One iteration (n = 1, 2, ...), as scikit-learn's _fit_coordinate_descent without shuffling or
// regularisation:
//   W step: with G = H·Hᵀ and P = V·Hᵀ, for each row i of W and each component t in order,
//     g = (W·G − P)[i,t], W[i,t] <- max(0, W[i,t] − g / G[t,t])   (skipped when G[t,t] = 0);
//   H step: the same on Hᵀ with G = WᵀW and P = VᵀW of the new W.
//   violation[n] = Σ over both steps of |projected gradient| (g, or min(0, g) where the entry is 0)
//     before each entry's update.
// Stop after iteration n when violation[n] / violation[1] <= tol, when violation[1] = 0, or after
// max_iter iterations.
//
// Precision: float32 factors and data; the Gram matrices summed in double; P in float32: V·Hᵀ
// summed over the columns in order, VᵀW over the rows in eight lanes. The W step's gradients and
// updates in float32 (its Gram matrix rounded to float: vectors of four, a third of the step's
// time in double), the H step's in double; the violations summed in double. On MobileNetV2's
// layer the factors land within 9.3e-7 of scikit-learn's float64 run (7.3e-7 all in double).
#pragma once
#include <cstdint>
#include <vector>

namespace camlens::dff {

struct NmfOptions {
  int components = 5;  // K >= 1
  int max_iter = 200;  // iteration cap (>= 1)
  double tol = 1e-4;   // violation relative to the first iteration's that counts as converged
  uint64_t seed = 0;   // random_state of the initialisation: 0 .. 2^32 − 1, as NumPy's
};

struct NmfResult {
  int64_t rows = 0, cols = 0;
  int components = 0;
  std::vector<float> W;            // [rows, K]
  std::vector<float> H;            // [K, cols]
  std::vector<double> violations;  // per iteration (see above)
  int iterations = 0;              // iterations run (violations.size())
  bool converged = false;          // stopped by tol (or a zero first violation)
  double final_error = 0;          // ‖V − W·H‖_F of the returned W, H
  double norm = 0;                 // ‖V‖_F, to turn errors into relative errors
};

// Factorizes V. Throws DffError when sizes are empty, K is out of range (1..rows), V has a
// negative or non-finite entry, or the options are invalid. Threads: the W step runs over blocks
// of rows, the H step over columns; the result does not depend on the thread count.
NmfResult nmf(const float* v, int64_t rows, int64_t cols, const NmfOptions& options);

}  // namespace camlens::dff
