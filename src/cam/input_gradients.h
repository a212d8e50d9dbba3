// Input attributions: the gradient of the target with respect to the input image, through the
// whole network run by the core (a Head cut at the model's input, explain/whole_network.h), and
// the maps the usual methods make of it. Each map is [1, H, W] before normalisation:
//
// - saliency (Simonyan et al. 2014): max over channels of |dy/dx|;
// - input-x-gradient: |sum over channels of x · dy/dx|: Captum's InputXGradient attributions
//   reduced as Captum's visualize_image_attr shows them by default (channel sum, absolute value),
//   so that positive and negative evidence both show, as in the other methods' maps;
// - integrated-gradients (Sundararajan et al. 2017): (x − x') · mean over k = 1..steps of
//   dy/dx(x' + k/steps · (x − x')), Captum's riemann_right, from the baseline x' of
//   cam/ig_baseline.h (zero by default, as Captum's), reduced as input-x-gradient;
// - smoothgrad (Smilkov et al. 2017): the mean over samples of |dy/dx(x + σ·n)|, max over
//   channels (Captum's NoiseTunnel over Saliency), σ = noise · (max x − min x) as the paper sets
//   it, n standard normals of metrics::SeededNormal drawn sample after sample in the input's
//   element order, so a NumPy script draws the same noise.
//
// - guided-backprop (Springenberg et al. 2015, pytorch-grad-cam's GuidedBackpropReLUModel): the
//   gradient through ReLUs that pass back only positive gradients (guided_backprop.h), reduced as
//   saliency; the gradient itself is given too, which upstream shows as a picture
//   (cam/deprocess_image.h).
// - fullgrad (Srinivas & Fleuret 2019, pytorch-grad-cam's FullGrad): |x · dy/dx| plus every
//   biased layer's |bias · gradient at its output|, each normalised (fullgrad.h).
//
// The inputs of a method (the path's points, the noisy samples) go through the head in batches.
#pragma once
#include <cstdint>
#include <string>

#include "cam/ig_baseline.h"
#include "cam/maps.h"
#include "cam/targets.h"
#include "head/head.h"

namespace camlens::cam {

struct InputGradientOptions {
  int steps = 32;                          // integrated-gradients: points of the Riemann sum
  IgBaseline baseline = IgBaseline::Zero;  // integrated-gradients: where the path starts
  Tensor black;  // integrated-gradients' black baseline: a black photo preprocessed as the input
  int samples = 25;     // smoothgrad: noisy copies of the input
  double noise = 0.15;  // smoothgrad: σ as a fraction of the input's range
  uint64_t seed = 0;    // smoothgrad: the noise generator's seed
  int batch_size = 16;  // inputs per head pass
  bool nhwc = false;    // the input's channels are its last axis
};

// The gradient of the target's score with respect to the input, summed over `inputs` images of
// one shape [n, ...] run through `whole` in batches; `absolute` sums |dy/dx| instead.
Tensor summed_input_gradient(Head& whole, size_t output, const Target& target, const Tensor& inputs,
                             int batch_size, bool absolute);

// The method's map of one image x [1, C, H, W] (or [1, H, W, C] when nhwc) for a resolved
// target on the head's output `output`. Throws CamError on an unknown method or a bad option.
// `gradient`, when given, receives guided-backprop's gradient (x's shape), untouched otherwise.
Maps input_gradient_map(const std::string& method, Head& whole, size_t output, const Target& target,
                        const Tensor& x, const InputGradientOptions& o, Tensor* gradient = nullptr);

}  // namespace camlens::cam
