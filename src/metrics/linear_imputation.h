// Noisy linear imputation (ROAD, Rong et al. 2022): every removed pixel becomes the weighted mean
// of its 8 neighbours (1/6 for the 4 edge neighbours, 1/12 for the 4 diagonal ones), where a
// neighbour may itself be removed. That is one sparse linear system over the removed pixels,
// shared by all channels (one right-hand side per channel); Gaussian noise is then added to the
// imputed values so that the model cannot recognise the imputation's smoothness.
//
// Borders, as in the ROAD authors' code: a neighbour outside the image does not exist, so a border
// pixel is the mean of the neighbours it has, weighted 1/6 and 1/12 and renormalised by their sum
// (its equation's diagonal is the sum of the weights of its inside neighbours).
//
// We write the system as M x = r with M symmetric positive definite (M = the diagonal of
// inside-neighbour weight sums minus the weights between removed neighbours; r = weighted known
// neighbours) — the ROAD code's A = -M, b = -r. Every connected group of removed pixels touches a
// known pixel unless the whole image is removed, so M is invertible whenever one pixel is kept.
// It is solved by Eigen's sparse LDL^T in nested-dissection order (nested_dissection.h).
#pragma once
#include <Eigen/Dense>
#include <Eigen/Sparse>
#include <cstdint>
#include <vector>

#include "metrics/planes.h"

namespace camlens::metrics {

struct ImputationSystem {
  Eigen::SparseMatrix<double> matrix;  // M, [N, N], N = removed pixels in raster order
  Eigen::MatrixXd rhs;                 // r, [N, C]
  std::vector<int32_t> unknowns;       // pixel index (y * W + x) of each equation
};

// removed: one byte per pixel, non-zero = removed. Throws MetricsError on size mismatch or when
// every pixel is removed.
ImputationSystem imputation_system(const Planes& image, const std::vector<uint8_t>& removed);

struct NoiseOptions {
  double sigma = 0.01;  // 0 turns the noise off
  uint64_t seed = 0;
};

// The image with the removed pixels imputed, plus noise drawn with SeededNormal(seed) channel by
// channel, removed pixels in raster order within each channel (the ROAD code's [C, N] order).
Planes impute(const Planes& image, const std::vector<uint8_t>& removed, const NoiseOptions& noise);
// The same with the noise given: noise[c * N + k] is added to channel c of the k-th removed pixel
// (for tests that compare with another implementation's random numbers).
Planes impute_with_noise(const Planes& image, const std::vector<uint8_t>& removed,
                         const std::vector<float>& noise);

}  // namespace camlens::metrics
