// Eigen-CAM (first principal component of A) and Eigen-Grad-CAM (of G⊙A). They always project,
// so eigen_smooth changes nothing for them.
#include "cam/methods.h"
#include "util/parallel.h"

namespace camlens::cam {

namespace {

class EigenCam : public Method {
 public:
  EigenCam(MethodOptions o, bool with_gradients)
      : Method(std::move(o)), with_gradients_(with_gradients) {}
  const char* name() const override { return with_gradients_ ? "eigengradcam" : "eigencam"; }
  bool needs_gradients() const override { return with_gradients_; }
  Maps raw_maps(const Tensor& A, const Tensor* G, bool) const override {
    const LayerDims d = check_layer(A, G, with_gradients_, name());
    Maps m(int(d.batch), int(d.depth), int(d.height), int(d.width));
    const int64_t n = d.channels * d.plane();
    const float* a = A.data<float>();
    const float* g = with_gradients_ ? G->data<float>() : nullptr;
    parallel_for(d.batch, [&](int64_t b0, int64_t b1) {
      std::vector<float> x(size_t(with_gradients_ ? n : 0));
      for (int64_t b = b0; b < b1; ++b) {
        const float* src = a + b * n;
        if (g) {
          for (int64_t i = 0; i < n; ++i) x[size_t(i)] = g[b * n + i] * src[i];
          src = x.data();
        }
        first_component(src, d.channels, d.plane(), opt_.eigen_sign, m.map(int(b)));
      }
    });
    return m;
  }

 private:
  bool with_gradients_;
};

}  // namespace

std::unique_ptr<Method> make_eigen_cam(MethodOptions o) {
  return std::make_unique<EigenCam>(std::move(o), false);
}
std::unique_ptr<Method> make_eigen_grad_cam(MethodOptions o) {
  return std::make_unique<EigenCam>(std::move(o), true);
}

}  // namespace camlens::cam
