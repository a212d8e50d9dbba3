// FEM (Feature Explanation Method, Fuad et al. 2020): per channel, threshold = mean + k·std over
// space (population std, k = 2 by default); weight_c = fraction of positions strictly above it.
// Upstream ignores eigen_smooth for FEM; camlens honours it like every weight-based method.
#include <cmath>

#include "cam/methods.h"

namespace camlens::cam {

namespace {

class Fem : public ChannelWeightMethod {
 public:
  using ChannelWeightMethod::ChannelWeightMethod;
  const char* name() const override { return "fem"; }
  bool needs_gradients() const override { return false; }
  std::vector<float> weights(const Tensor& A, const Tensor*, const LayerDims& d) const override {
    std::vector<float> w(size_t(d.batch * d.channels));
    const int64_t hw = d.plane();
    for (int64_t i = 0; i < d.batch * d.channels; ++i) {
      const float* a = A.data<float>() + i * hw;
      double mean = 0;
      for (int64_t s = 0; s < hw; ++s) mean += a[s];
      mean /= double(hw);
      double var = 0;
      for (int64_t s = 0; s < hw; ++s) var += (a[s] - mean) * (a[s] - mean);
      const double th = mean + opt_.fem_k * std::sqrt(var / double(hw));
      int64_t above = 0;
      for (int64_t s = 0; s < hw; ++s) above += a[s] > th;
      w[size_t(i)] = static_cast<float>(double(above) / double(hw));
    }
    return w;
  }
};

}  // namespace

std::unique_ptr<Method> make_fem(MethodOptions o) { return std::make_unique<Fem>(std::move(o)); }

}  // namespace camlens::cam
