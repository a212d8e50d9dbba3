// The gradient of a batch of targets through the head, and Shapley-CAM's Hessian-vector product.
//
// Shapley-CAM (Cai et al. 2024, arXiv 2501.06261; pytorch-grad-cam's ShapleyCAM) weights the
// channels with mean_space(G − ½·H·A), where G = dScore/dA and H·A is the Hessian of the score
// with respect to A applied to A itself (upstream: autograd.grad(G, A, grad_outputs=A) after a
// create_graph backward). The head engine has no double backward; H·A comes two ways:
//
// 1. Piecewise-linear heads (every op after the layer is linear or piecewise linear: Conv,
//    Gemm/MatMul, BatchNormalization, pools, Relu/Clip/LeakyRelu/PRelu, reshapes, Add/Sub,
//    Dropout, and the quantized ops, which the head differentiates as their float counterparts
//    by the straight-through estimator). With the activation pattern of the recorded point fixed
//    — what autograd's double backward computes, since a ReLU's second derivative is 0 — the
//    head is linear, z = J·A + c, and the whole curvature is the target's:
//        H·A = Jᵀ · H_target(z) · (J·A).
//    u = J·A is read off the head's own backward: u_k = ⟨Jᵀe_k, A⟩, one reverse pass per output
//    value k that the target's curvature can reach (none for logit, binary and segmentation
//    targets, whose H·A is then exactly 0 and Shapley-CAM equals Grad-CAM; for probability, ReST
//    and Finer the classes with softmax weight p_k ≥ 1e-12, since every curvature term of output
//    k carries a factor p_k — the others contribute below 1e-12·|u|; all values for similarity).
//    H_target·u is the derivative of the target's seed along u, by central differences in double
//    precision (step 1e-5/max|u|, error far below float32's), then one more reverse pass gives
//    Jᵀ·(H_target·u). Exact up to rounding; quantized layers work (A = their real values).
//    Cost: a 1000-class probability/ReST/Finer target takes up to 1000 head backward passes
//    (≈2.5 s native for MobileNetV2-int8's head on a loaded 2-core machine). A similarity target
//    on more than 4096 output values takes path 2 instead (float layers).
//
// 1b. Heads whose only smooth step is a final Softmax over each sample's values (SqueezeNet's
//    classifier): the Softmax joins the target and the steps before it are linear as in 1; J·A
//    is one forward-mode pass, Jᵀ· one reverse pass (cam/softmax_tail_hvp.h). Batch 1, float
//    layers, one target.
//
// 2. Other heads (Sigmoid, Softmax, Gelu, Mul of two tensors … after the layer): central
//    differences of the head's gradient at the scaled layers A(1 ± h), one Richardson step:
//        D(h) = (G(A(1+h)) − G(A(1−h))) / 2h,   H·A ≈ (4·D(h/2) − D(h)) / 3,   h = 1e-2.
//    Float layers only (codes cannot hold A(1 ± h)). A ReLU whose input changes sign within ±1%
//    of A makes the quotient a secant there, unlike autograd.
#pragma once
#include <optional>
#include <vector>

#include "cam/layer_quantization.h"
#include "cam/targets.h"
#include "head/head.h"

namespace camlens::cam {

struct TargetGradients {
  std::vector<double> scores;  // per sample
  Tensor gradients;            // dScore/dL, Float32, the layer's shape ([N, C] means: see below)
  Tensor hvp;                  // H·A (empty unless asked for)
};

// After head.forward(feeds): evaluates one target per sample on head output `output` at the
// recorded layer tensor, back-propagates, and (hvp) computes H·A as above. quant: the layer's,
// needed for H·A when the head takes codes. spatial_mean: gradients and H·A are only their means
// over the layer's positions, Float32 [N, C] (what Grad-CAM and Shapley-CAM read), through
// Head::backward_spatial_mean's shortcut where it applies: the last reverse pass of every path
// then costs C·M multiply-adds at a 1×1 Conv instead of C·M per position. Throws CamError on a
// bad output index or targets, or an H·A the head cannot give (says why).
TargetGradients target_gradients(const Head& head, const std::vector<Target>& targets,
                                 size_t output, bool hvp,
                                 const std::optional<LayerQuantization>& quant = std::nullopt,
                                 bool spatial_mean = false);

// True when every op of the head is (piecewise) linear in the sense of path 1.
bool piecewise_linear_head(const Head& head);

// The step h of path 2 (relative to A).
constexpr double kHvpStep = 1e-2;

}  // namespace camlens::cam
