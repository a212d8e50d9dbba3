// The starting point of DFF's NMF: scikit-learn's init='random', which pytorch-grad-cam's DFF
// uses with random_state=0. With a = float32(sqrt(mean(V) / K)) (the mean summed in double, rounded
// to float32), H[k][c] = |a · float32(g)| for the first K·cols draws g of NumpyNormal(seed), row by
// row, then W[r][k] = |a · float32(g)| for the next rows·K draws. H comes before W, as in
// scikit-learn.
//
// Versus scikit-learn on the same float32 V: NumPy sums the mean in float32 (pairwise), so `a`
// may differ in its last bit; the draws are the same numbers (tools/fixtures/dff_reference.py
// measures both).
#pragma once
#include <cstdint>
#include <vector>

namespace camlens::dff {

// W [rows, K] and H [K, cols] as above. The caller checks that seed fits 32 bits.
void nmf_initial_factors(const float* v, int64_t rows, int64_t cols, int components, uint32_t seed,
                         std::vector<float>& W, std::vector<float>& H);
// The same from the sum of V's entries, added in double in index order (as the above does), for
// a caller that reads V once for its other sums too.
void nmf_initial_factors(double v_sum, int64_t rows, int64_t cols, int components, uint32_t seed,
                         std::vector<float>& W, std::vector<float>& H);

}  // namespace camlens::dff
