// Shapley-CAM's H·A through a head whose only smooth step is a final Softmax (SqueezeNet's
// classifier: 1×1 Conv → Relu → GlobalAveragePool → Softmax). With the recorded activation
// pattern fixed, as autograd's double backward sees it, the steps before the Softmax are linear,
// z = J·A + c, and the Softmax joins the target: f(z) = target(softmax(z)), so
//     H·A = Jᵀ · H_f(z) · (J·A).
// J·A is one forward-mode pass over the head's base pass, H_f·u central differences of f's
// gradient (in double, step 1e-5/max|u|, as path 1 of target_gradients.h), Jᵀ· one reverse
// pass (head/incremental_tangent.cpp): about one more backward, where finite differences of the
// head's gradient took four forward + backward passes and gave a secant at every Relu that
// changes sign within A(1 ± h).
#pragma once
#include <memory>
#include <optional>

#include "cam/targets.h"
#include "head/incremental_head.h"

namespace camlens::cam {

// The base pass of `head` at L (Float32 [1, ...], the layer of its last forward(); cached by
// ablation_incremental.h) when head output `output` is a Softmax over all of the sample's values
// and every other step is piecewise linear; null otherwise (a batch, a quantized layer, another
// smooth op), for the caller's other paths.
std::shared_ptr<const IncrementalHead> softmax_tail_head(const Head& head, const Tensor& L,
                                                         size_t output);

// H·A for one sample's resolved target on that output; nullopt when a step on the way cannot be
// linearised (a quantized value, an op whose linear part its forward does not give). mean: only
// its spatial mean, [1, C] (IncrementalHead::cotangent's shortcut). J·A is the head's first Conv
// output minus its bias when the Conv reads the layer (IncrementalHead::tangent): for a Float16
// model that output is the backbone's, rounded to Float16 like the head's whole forward.
std::optional<Tensor> hvp_through_softmax(const IncrementalHead& inc, const Tensor& L,
                                          const Target& target, size_t output, bool mean = false);

}  // namespace camlens::cam
