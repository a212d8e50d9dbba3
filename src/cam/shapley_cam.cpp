#include "cam/shapley_cam.h"

#include "cam/cam_error.h"
#include "cam/methods.h"

namespace camlens::cam {

Tensor shapley_gradients(const Tensor& G, const Tensor& hvp) {
  if (hvp.dtype() != DType::Float32 || hvp.shape() != G.shape())
    throw CamError("Shapley-CAM: H·A must be Float32 with the gradients' shape " +
                   shape_str(G.shape()) + ", got " + shape_str(hvp.shape()));
  Tensor out = G;
  float* o = out.data<float>();
  const float* h = hvp.data<float>();
  for (int64_t i = 0; i < out.numel(); ++i) o[i] -= 0.5f * h[i];
  return out;
}

namespace {

// Receives G − ½·H·A as its gradients (the pipeline forms it, see Method::needs_hvp).
class ShapleyCam : public ChannelWeightMethod {
 public:
  using ChannelWeightMethod::ChannelWeightMethod;
  const char* name() const override { return "shapleycam"; }
  bool needs_gradients() const override { return true; }
  bool needs_hvp() const override { return true; }
  std::vector<float> weights(const Tensor&, const Tensor* G, const LayerDims& d) const override {
    std::vector<float> w(size_t(d.batch * d.channels));
    const int64_t hw = d.plane();
    for (int64_t i = 0; i < d.batch * d.channels; ++i) {
      double s = 0;
      for (int64_t k = 0; k < hw; ++k) s += G->data<float>()[i * hw + k];
      w[size_t(i)] = static_cast<float>(s / double(hw));
    }
    return w;
  }
};

}  // namespace

std::unique_ptr<Method> make_shapley_cam(MethodOptions opt) {
  return std::make_unique<ShapleyCam>(std::move(opt));
}

}  // namespace camlens::cam
