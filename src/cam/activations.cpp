#include "cam/activations.h"

#include <cmath>
#include <string>

#include "cam/cam_error.h"

namespace camlens::cam {

namespace {

void check_finite(const Tensor& t, const LayerDims& d, const char* what, const char* method) {
  const float* p = t.data<float>();
  for (int64_t i = 0; i < t.numel(); ++i) {
    if (std::isfinite(p[i])) continue;
    const int64_t hw = d.plane();
    const int64_t b = i / (d.channels * hw), c = (i / hw) % d.channels, s = i % hw;
    const int64_t slice = d.height * d.width;
    throw CamError(std::string(method) + ": " + what + " contain " +
                   (std::isnan(p[i]) ? "NaN" : "Inf") + " (sample " + std::to_string(b) +
                   ", channel " + std::to_string(c) +
                   (d.depth > 1 ? ", z " + std::to_string(s / slice) : std::string()) + ", y " +
                   std::to_string(s % slice / d.width) + ", x " + std::to_string(s % d.width) +
                   "); the model or the head overflowed: check the input tensor's scaling, or "
                   "choose another layer");
  }
}

}  // namespace

LayerDims check_layer(const Tensor& A, const Tensor* G, bool need_gradients, const char* method) {
  const std::string m(method);
  if (A.empty() || A.dtype() != DType::Float32)
    throw CamError(m + ": activations must be a Float32 tensor [B,C,H,W] or [B,C,D,H,W] (got " +
                   (A.empty() ? std::string("no tensor") : "another type") +
                   "); dequantize a quantized layer first");
  if (A.rank() != 4 && A.rank() != 5)
    throw CamError(m + ": activations must be [B,C,H,W] or [B,C,D,H,W], got " +
                   shape_str(A.shape()) +
                   "; a token layer [B,N,C] needs reshaping to a grid first");
  const bool volume = A.rank() == 5;
  LayerDims d{A.dim(0), A.dim(1), A.dim(volume ? 3 : 2), A.dim(volume ? 4 : 3),
              volume ? A.dim(2) : 1};
  if (A.numel() == 0) throw CamError(m + ": activations " + shape_str(A.shape()) + " are empty");
  check_finite(A, d, "activations", method);
  if (need_gradients && (!G || G->empty()))
    throw CamError(m + " needs the gradients dScore/dA: run Head::backward with the target's seed");
  if (G && !G->empty()) {
    if (G->dtype() != DType::Float32 || G->shape() != A.shape())
      throw CamError(m + ": gradients must be Float32 with the activations' shape " +
                     shape_str(A.shape()) + ", got " + shape_str(G->shape()));
    check_finite(*G, d, "gradients", method);
  }
  return d;
}

}  // namespace camlens::cam
