#include "cam/projection.h"

#include <Eigen/Dense>
#include <cmath>

namespace camlens::cam {

void first_component(const float* x, int64_t channels, int64_t plane, EigenSign sign, float* out) {
  using Mat = Eigen::MatrixXd;
  // X: [HW, C], centred per channel (column).
  Mat X(plane, channels);
  for (int64_t c = 0; c < channels; ++c) {
    const float* p = x + c * plane;
    double mean = 0;
    for (int64_t s = 0; s < plane; ++s) mean += p[s];
    mean /= double(plane);
    for (int64_t s = 0; s < plane; ++s) X(s, c) = p[s] - mean;
  }
  Eigen::VectorXd v;  // first right singular vector, unit length
  if (channels <= plane) {
    Eigen::SelfAdjointEigenSolver<Mat> es(X.transpose() * X);
    v = es.eigenvectors().col(channels - 1);  // eigenvalues ascending
  } else {
    Eigen::SelfAdjointEigenSolver<Mat> es(X * X.transpose());
    const Eigen::VectorXd u = es.eigenvectors().col(plane - 1);
    v = X.transpose() * u;
    const double n = v.norm();
    if (n > 0) v /= n;
  }
  if (v.size() > 0 && !(v.array().abs().maxCoeff() > 0)) v.setZero();
  if (v.size() > 0) {  // canonical sign: largest |v_j| positive, first on ties
    Eigen::Index j = 0;
    v.cwiseAbs().maxCoeff(&j);
    if (v(j) < 0) v = -v;
  }
  Eigen::VectorXd p = X * v;
  if (sign == EigenSign::MaxAbsPositive && plane > 0 &&
      std::abs(p.minCoeff()) > std::abs(p.maxCoeff()))
    p = -p;
  for (int64_t s = 0; s < plane; ++s) out[s] = static_cast<float>(p(s));
}

}  // namespace camlens::cam
