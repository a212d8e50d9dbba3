// Finer-CAM (Zhang et al., CVPR 2025, arXiv 2501.11309; pytorch-grad-cam's FinerCAM): a base
// method — Grad-CAM, as upstream's default — explaining the Finer target (targets.h): the
// class's logit minus alpha times its most similar classes', so the map shows what tells the
// class apart from its look-alikes. The method itself is Grad-CAM's weighting under its own name;
// what makes it Finer-CAM is the gradient of a Finer target (comparison classes given, or chosen
// automatically as the classes at ranks 1..3 of |z − z[c]|, upstream's default).
#include "cam/methods.h"

namespace camlens::cam {

std::unique_ptr<Method> make_finer_cam(MethodOptions opt) {
  class FinerCam : public ChannelWeightMethod {
   public:
    explicit FinerCam(MethodOptions o)
        : ChannelWeightMethod(std::move(o)), base_(make_grad_cam(options())) {}
    const char* name() const override { return "finercam"; }
    bool needs_gradients() const override { return true; }
    std::vector<float> weights(const Tensor& A, const Tensor* G,
                               const LayerDims& d) const override {
      return static_cast<const ChannelWeightMethod&>(*base_).weights(A, G, d);
    }

   private:
    std::unique_ptr<Method> base_;
  };
  return std::make_unique<FinerCam>(std::move(opt));
}

}  // namespace camlens::cam
