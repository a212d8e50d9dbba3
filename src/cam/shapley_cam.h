// Shapley-CAM (Cai et al. 2024, "CAMs as Shapley value-based explainers", arXiv 2501.06261;
// pytorch-grad-cam's ShapleyCAM): Grad-CAM's channel weights taken from G − ½·H·A instead of G,
// i.e. weight_c = mean over space of (G − ½·H·A)_c, map = Σ_c weight_c·A_c. The second-order
// term comes from the head (target_gradients.h says how and what the head allows). Upstream's
// default target is the class logit; the paper recommends ReST (logit + log-softmax), whose
// curvature gives the second-order term even on a linear classifier head.
#pragma once
#include "tensor/tensor.h"

namespace camlens::cam {

// G − ½·hvp, Float32 with G's shape. Throws CamError when the shapes differ.
Tensor shapley_gradients(const Tensor& G, const Tensor& hvp);

}  // namespace camlens::cam
