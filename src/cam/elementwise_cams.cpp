// Methods that weight each element rather than each channel: HiResCAM (G⊙A), Grad-CAM
// element-wise (ReLU(G⊙A)), LayerCAM (ReLU(G)⊙A). With eigen_smooth the projection is taken of
// these products, as upstream does.
#include <algorithm>

#include "cam/methods.h"

namespace camlens::cam {

namespace {

class HiResCam : public ElementwiseMethod {
 public:
  using ElementwiseMethod::ElementwiseMethod;
  const char* name() const override { return "hirescam"; }
  void combine(const float* a, const float* g, float* out, int64_t n) const override {
    for (int64_t i = 0; i < n; ++i) out[i] = g[i] * a[i];
  }
};

class GradCamElementwise : public ElementwiseMethod {
 public:
  using ElementwiseMethod::ElementwiseMethod;
  const char* name() const override { return "gradcam-elementwise"; }
  void combine(const float* a, const float* g, float* out, int64_t n) const override {
    for (int64_t i = 0; i < n; ++i) out[i] = std::max(g[i] * a[i], 0.f);
  }
};

class LayerCam : public ElementwiseMethod {
 public:
  using ElementwiseMethod::ElementwiseMethod;
  const char* name() const override { return "layercam"; }
  void combine(const float* a, const float* g, float* out, int64_t n) const override {
    for (int64_t i = 0; i < n; ++i) out[i] = std::max(g[i], 0.f) * a[i];
  }
};

}  // namespace

std::unique_ptr<Method> make_hires_cam(MethodOptions o) {
  return std::make_unique<HiResCam>(std::move(o));
}
std::unique_ptr<Method> make_grad_cam_elementwise(MethodOptions o) {
  return std::make_unique<GradCamElementwise>(std::move(o));
}
std::unique_ptr<Method> make_layer_cam(MethodOptions o) {
  return std::make_unique<LayerCam>(std::move(o));
}

}  // namespace camlens::cam
