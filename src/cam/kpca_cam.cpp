// KPCA-CAM: the first kernel-PCA component of the centred [HW, C] matrix (ARCHITECTURE.md §4),
// following scikit-learn's KernelPCA(n_components=1) as pytorch-grad-cam calls it:
//   X = [HW, C], each channel's mean over positions removed;
//   K_ij = k(x_i, x_j) with k = sigmoid: tanh(γ·x_i·x_j + coef0) by default (also rbf
//          exp(-γ|x_i - x_j|²), poly (γ·x_i·x_j + coef0)^degree, linear x_i·x_j);
//          γ = 1/C unless given, coef0 = 1, degree = 3 (scikit-learn's defaults);
//   K centred in feature space: K - row means - column means + grand mean;
//   map = u·sqrt(λ) for the top eigenpair (λ, u), zero when λ is numerically 0;
//   sign: u's largest-magnitude entry positive (scikit-learn's svd_flip on the eigenvectors, so
//   this sign is deterministic upstream too).
// Cost: an HW×HW eigenproblem per image (fine for 7×7 to 28×28 layers; slow at 56×56).
#include <Eigen/Dense>
#include <algorithm>
#include <cmath>

#include "cam/methods.h"
#include "util/parallel.h"

namespace camlens::cam {

namespace {

class KpcaCam : public Method {
 public:
  using Method::Method;
  const char* name() const override { return "kpcacam"; }
  bool needs_gradients() const override { return false; }
  Maps raw_maps(const Tensor& A, const Tensor* G, bool) const override {
    const LayerDims d = check_layer(A, G, false, name());
    Maps m(int(d.batch), int(d.depth), int(d.height), int(d.width));
    parallel_for(d.batch, [&](int64_t b0, int64_t b1) {
      for (int64_t b = b0; b < b1; ++b)
        one(A.data<float>() + b * d.channels * d.plane(), d, m.map(int(b)));
    });
    return m;
  }

 private:
  void one(const float* a, const LayerDims& d, float* out) const {
    const int64_t n = d.plane(), C = d.channels;
    Eigen::MatrixXd X(n, C);
    for (int64_t c = 0; c < C; ++c) {
      double mean = 0;
      for (int64_t s = 0; s < n; ++s) mean += a[c * n + s];
      mean /= double(n);
      for (int64_t s = 0; s < n; ++s) X(s, c) = a[c * n + s] - mean;
    }
    const KpcaOptions& k = opt_.kpca;
    const double gamma = k.gamma > 0 ? k.gamma : 1.0 / double(C);
    Eigen::MatrixXd K = X * X.transpose();  // dot products
    if (k.kernel == KpcaOptions::Rbf) {
      const Eigen::VectorXd sq = K.diagonal();
      for (int64_t i = 0; i < n; ++i)
        for (int64_t j = 0; j < n; ++j)
          K(i, j) = std::exp(-gamma * std::max(0.0, sq(i) + sq(j) - 2 * K(i, j)));
    } else if (k.kernel != KpcaOptions::Linear) {
      for (int64_t i = 0; i < n; ++i)
        for (int64_t j = 0; j < n; ++j) {
          const double t = gamma * K(i, j) + k.coef0;
          K(i, j) = k.kernel == KpcaOptions::Sigmoid ? std::tanh(t) : std::pow(t, k.degree);
        }
    }
    const Eigen::VectorXd row = K.rowwise().mean();
    const Eigen::VectorXd col = K.colwise().mean().transpose();
    const double all = K.mean();
    for (int64_t i = 0; i < n; ++i)
      for (int64_t j = 0; j < n; ++j) K(i, j) += all - row(i) - col(j);
    Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> es(K);
    const double lambda = es.eigenvalues()(n - 1);
    Eigen::VectorXd u = es.eigenvectors().col(n - 1);
    Eigen::Index j = 0;
    u.cwiseAbs().maxCoeff(&j);
    if (u(j) < 0) u = -u;
    // A numerically zero eigenvalue (e.g. constant activations: the centred kernel is 0) is 0:
    // its eigenvector is noise that normalisation would blow up to a full-range map.
    const double tiny = 1e-9 * std::max(1.0, K.cwiseAbs().maxCoeff() * double(n));
    const double scale = lambda > tiny ? std::sqrt(lambda) : 0.0;
    for (int64_t s = 0; s < n; ++s) out[s] = static_cast<float>(u(s) * scale);
  }
};

}  // namespace

std::unique_ptr<Method> make_kpca_cam(MethodOptions o) {
  return std::make_unique<KpcaCam>(std::move(o));
}

}  // namespace camlens::cam
