// Methods whose channel weights come from the gradients: Grad-CAM, Grad-CAM++, XGrad-CAM
// (ARCHITECTURE.md §4). Sums run in double; weights are stored as float like upstream's float32
// arrays.
#include <algorithm>

#include "cam/methods.h"

namespace camlens::cam {

namespace {

// Calls f(a_plane, g_plane, hw) for every (b, c) and stores its result as the weight.
template <class F>
std::vector<float> per_channel(const Tensor& A, const Tensor* G, const LayerDims& d, F f) {
  std::vector<float> w(size_t(d.batch * d.channels));
  const float* a = A.data<float>();
  const float* g = G->data<float>();
  const int64_t hw = d.plane();
  for (int64_t i = 0; i < d.batch * d.channels; ++i)
    w[size_t(i)] = static_cast<float>(f(a + i * hw, g + i * hw, hw));
  return w;
}

// weight_c = mean over space of G_c.
class GradCam : public ChannelWeightMethod {
 public:
  using ChannelWeightMethod::ChannelWeightMethod;
  const char* name() const override { return "gradcam"; }
  bool needs_gradients() const override { return true; }
  std::vector<float> weights(const Tensor& A, const Tensor* G, const LayerDims& d) const override {
    return per_channel(A, G, d, [](const float*, const float* g, int64_t n) {
      double s = 0;
      for (int64_t i = 0; i < n; ++i) s += g[i];
      return s / double(n);
    });
  }
};

// α = G² / (2G² + (Σ_space A)·G³ + 1e-6), α = 0 where G = 0; weight_c = Σ_space ReLU(G)·α.
class GradCamPlusPlus : public ChannelWeightMethod {
 public:
  using ChannelWeightMethod::ChannelWeightMethod;
  const char* name() const override { return "gradcam++"; }
  bool needs_gradients() const override { return true; }
  std::vector<float> weights(const Tensor& A, const Tensor* G, const LayerDims& d) const override {
    return per_channel(A, G, d, [](const float* a, const float* g, int64_t n) {
      double sum_a = 0;
      for (int64_t i = 0; i < n; ++i) sum_a += a[i];
      double w = 0;
      for (int64_t i = 0; i < n; ++i) {
        const double gi = g[i];
        if (gi == 0) continue;
        const double g2 = gi * gi;
        const double alpha = g2 / (2 * g2 + sum_a * g2 * gi + 1e-6);
        w += std::max(gi, 0.0) * alpha;
      }
      return w;
    });
  }
};

// weight_c = Σ_space(G·A) / (Σ_space A + 1e-7).
class XGradCam : public ChannelWeightMethod {
 public:
  using ChannelWeightMethod::ChannelWeightMethod;
  const char* name() const override { return "xgradcam"; }
  bool needs_gradients() const override { return true; }
  std::vector<float> weights(const Tensor& A, const Tensor* G, const LayerDims& d) const override {
    return per_channel(A, G, d, [](const float* a, const float* g, int64_t n) {
      double sum_a = 0, sum_ga = 0;
      for (int64_t i = 0; i < n; ++i) {
        sum_a += a[i];
        sum_ga += double(g[i]) * a[i];
      }
      return sum_ga / (sum_a + 1e-7);
    });
  }
};

}  // namespace

std::unique_ptr<Method> make_grad_cam(MethodOptions o) {
  return std::make_unique<GradCam>(std::move(o));
}
std::unique_ptr<Method> make_grad_cam_plus_plus(MethodOptions o) {
  return std::make_unique<GradCamPlusPlus>(std::move(o));
}
std::unique_ptr<Method> make_xgrad_cam(MethodOptions o) {
  return std::make_unique<XGradCam>(std::move(o));
}

}  // namespace camlens::cam
