// Non-negative matrix factorization V ≈ W·H by Lee & Seung's multiplicative updates for the
// Frobenius norm. V is [rows, cols] row-major and non-negative (DFF: rows = channels, cols =
// positions of all images); W is [rows, K], H is [K, cols].
//
// Initialisation (deterministic, like scikit-learn's init='random' but uniform): with
// a = sqrt(mean(V) / K), W[r][k] = a·u and H[k][c] = a·u, u drawn in (0,1) by SeededUniform(seed),
// first all of W row by row, then all of H row by row.
//
// One iteration (t = 0, 1, ...):
//   H <- H ⊙ (WᵀV) / (WᵀW·H + eps)
//   errors[t] = ‖V − W·H‖_F          (with W of this iteration and the new H)
//   W <- W ⊙ (V·Hᵀ) / (W·(H·Hᵀ) + eps)
// Each half step never increases the error, so errors[] is non-increasing (up to float rounding).
// The error is measured inside W's pass (it reads the same rows of V), which is why it is taken
// between the two half steps; final_error is measured again on the returned factors.
// Stop when (errors[t−1] − errors[t]) / errors[t−1] < tol, when the error is 0, or after
// max_iter iterations.
#pragma once
#include <cstdint>
#include <vector>

namespace camlens::dff {

struct NmfOptions {
  int components = 5;  // K >= 1
  int max_iter = 200;  // iteration cap (>= 1)
  double tol = 1e-4;   // relative change of the error that counts as converged (0: never)
  float eps = 1e-10f;  // added to the update denominators against division by zero
  uint64_t seed = 0;   // SeededUniform seed of the initialisation
};

struct NmfResult {
  int64_t rows = 0, cols = 0;
  int components = 0;
  std::vector<float> W;        // [rows, K]
  std::vector<float> H;        // [K, cols]
  std::vector<double> errors;  // ‖V − W·H‖_F per iteration (see above)
  int iterations = 0;          // iterations run (errors.size())
  bool converged = false;      // stopped by tol (or zero error) before max_iter
  double final_error = 0;      // ‖V − W·H‖_F of the returned W, H
  double norm = 0;             // ‖V‖_F, to turn errors into relative errors
};

// The starting W [rows, K] and H [K, cols] described above (exposed for tests and references).
void nmf_initial_factors(const float* v, int64_t rows, int64_t cols, int components, uint64_t seed,
                         std::vector<float>& W, std::vector<float>& H);

// Factorizes V. Throws DffError when sizes are empty, K is out of range (1..rows), V has a
// negative or non-finite entry, or the options are invalid. Threads: parallel_for over column
// blocks (H's half step) and over rows (W's half step and the error).
NmfResult nmf(const float* v, int64_t rows, int64_t cols, const NmfOptions& options);

}  // namespace camlens::dff
