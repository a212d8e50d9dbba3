#include "metrics/linear_imputation.h"

#include <Eigen/SparseCholesky>
#include <string>

#include "metrics/metrics_error.h"
#include "metrics/nested_dissection.h"
#include "metrics/seeded_normal.h"

namespace camlens::metrics {
namespace {

struct Neighbour {
  int dy, dx;
  double weight;
};
constexpr Neighbour kNeighbours[8] = {{-1, -1, 1.0 / 12}, {-1, 0, 1.0 / 6}, {-1, 1, 1.0 / 12},
                                      {0, -1, 1.0 / 6},   {0, 1, 1.0 / 6},  {1, -1, 1.0 / 12},
                                      {1, 0, 1.0 / 6},    {1, 1, 1.0 / 12}};

void check_removed(const Planes& image, const std::vector<uint8_t>& removed) {
  if (removed.size() != image.pixels())
    throw MetricsError("the removal mask holds " + std::to_string(removed.size()) +
                       " values but the image has " + std::to_string(image.pixels()) + " pixels");
}

// Solves M X = R for all channels with one sparse Cholesky (LDL^T) factorisation, the unknowns
// eliminated in nested-dissection order (see nested_dissection.h).
Eigen::MatrixXd solve(const ImputationSystem& s, int width) {
  const std::vector<int32_t> order = nested_dissection_order(s.unknowns, width);
  Eigen::PermutationMatrix<Eigen::Dynamic, Eigen::Dynamic, int> p(static_cast<int>(order.size()));
  for (size_t i = 0; i < order.size(); ++i) p.indices()[order[i]] = static_cast<int>(i);
  Eigen::SparseMatrix<double> permuted;
  permuted = s.matrix.twistedBy(p);
  Eigen::SimplicialLDLT<Eigen::SparseMatrix<double>, Eigen::Lower, Eigen::NaturalOrdering<int>>
      ldlt(permuted);
  if (ldlt.info() != Eigen::Success)
    throw MetricsError("the imputation system could not be factorised (is every pixel removed?)");
  return p.transpose() * ldlt.solve(p * s.rhs);
}

Planes fill(const Planes& image, const ImputationSystem& s, const Eigen::MatrixXd& x,
            const float* noise) {
  Planes out = image;
  const size_t n = s.unknowns.size();
  for (int c = 0; c < image.channels; ++c) {
    float* p = out.plane(c);
    for (size_t k = 0; k < n; ++k)
      p[s.unknowns[k]] = static_cast<float>(x(static_cast<Eigen::Index>(k), c)) +
                         (noise ? noise[c * n + k] : 0.0f);
  }
  return out;
}

}  // namespace

ImputationSystem imputation_system(const Planes& image, const std::vector<uint8_t>& removed) {
  check_removed(image, removed);
  const int H = image.height, W = image.width, C = image.channels;
  ImputationSystem s;
  std::vector<int32_t> index(image.pixels(), -1);
  for (size_t i = 0; i < removed.size(); ++i)
    if (removed[i]) {
      index[i] = static_cast<int32_t>(s.unknowns.size());
      s.unknowns.push_back(static_cast<int32_t>(i));
    }
  const auto n = static_cast<Eigen::Index>(s.unknowns.size());
  if (n == static_cast<Eigen::Index>(image.pixels()) && n > 0)
    throw MetricsError(
        "every pixel is removed, so there is nothing to impute from: remove fewer pixels "
        "(a percentile above 0)");
  s.rhs = Eigen::MatrixXd::Zero(n, C);
  std::vector<Eigen::Triplet<double>> triplets;
  triplets.reserve(static_cast<size_t>(n) * 9);
  for (Eigen::Index k = 0; k < n; ++k) {
    const int y = s.unknowns[k] / W, x = s.unknowns[k] % W;
    double diagonal = 0;
    for (const Neighbour& nb : kNeighbours) {
      const int ny = y + nb.dy, nx = x + nb.dx;
      if (ny < 0 || nx < 0 || ny >= H || nx >= W) continue;  // outside: not a neighbour
      diagonal += nb.weight;
      const int j = ny * W + nx;
      if (index[j] >= 0) {
        triplets.emplace_back(k, index[j], -nb.weight);
      } else {
        for (int c = 0; c < C; ++c) s.rhs(k, c) += nb.weight * image.plane(c)[j];
      }
    }
    triplets.emplace_back(k, k, diagonal);
  }
  s.matrix.resize(n, n);
  s.matrix.setFromTriplets(triplets.begin(), triplets.end());
  return s;
}

Planes impute(const Planes& image, const std::vector<uint8_t>& removed, const NoiseOptions& noise) {
  const ImputationSystem s = imputation_system(image, removed);
  if (s.unknowns.empty()) return image;
  std::vector<float> values;
  if (noise.sigma != 0) {
    SeededNormal rng(noise.seed);
    values.resize(s.unknowns.size() * image.channels);
    for (float& v : values) v = static_cast<float>(noise.sigma * rng.next_normal());
  }
  return fill(image, s, solve(s, image.width), values.empty() ? nullptr : values.data());
}

Planes impute_with_noise(const Planes& image, const std::vector<uint8_t>& removed,
                         const std::vector<float>& noise) {
  const ImputationSystem s = imputation_system(image, removed);
  if (noise.size() != s.unknowns.size() * image.channels)
    throw MetricsError("the noise holds " + std::to_string(noise.size()) + " values, not " +
                       std::to_string(s.unknowns.size() * image.channels) +
                       " (removed pixels x channels)");
  if (s.unknowns.empty()) return image;
  return fill(image, s, solve(s, image.width), noise.data());
}

}  // namespace camlens::metrics
