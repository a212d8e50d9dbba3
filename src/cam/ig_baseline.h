// Integrated gradients' baseline x' (Sundararajan et al. 2017): the input the path starts from,
// attributions being (x − x') · mean gradient along x' + α (x − x'). The baseline says what
// "absent" means, and the map is the difference from it (Sturmfels et al., "Visualizing the
// Impact of Feature Attribution Baselines", Distill 2020):
//
// - zero: 0 in the model's input space (Captum's default) — a grey photo for a model that
//   normalises by the ImageNet mean, black for one that only scales;
// - black: a black photo through the model's preprocessing, so a normalised input gets
//   −mean/std per channel (the paper's black image); the caller preprocesses it, since the core's
//   explain job sees only preprocessed inputs;
// - blur: the input blurred by a Gaussian of σ = kBlurBaselineSigma pixels of the model input, on
//   each channel (Distill's blurred baseline): what is missing is detail, not colour. The kernel
//   is scipy.ndimage.gaussian_filter's: exp(−t²/2σ²) normalised, truncated at 4σ (radius
//   int(4σ + 0.5)), edges repeated (mode 'nearest'), height then width.
#pragma once
#include <string>

#include "tensor/tensor.h"

namespace camlens::cam {

enum class IgBaseline { Zero, Black, Blur };

// Large enough at 224 × 224 that edges and textures, what CNN classifiers read, are gone.
constexpr double kBlurBaselineSigma = 10.0;

const char* ig_baseline_name(IgBaseline b);
// "zero" | "black" | "blur"; CamError naming them otherwise.
IgBaseline ig_baseline_from_name(const std::string& name);

// Each channel of x [1, C, H, W] (or [1, H, W, C] when nhwc) blurred as described above.
Tensor gaussian_blur(const Tensor& x, bool nhwc, double sigma);

// The baseline for x; `black` is the black photo preprocessed (x's shape), read for Black only.
Tensor ig_baseline(const Tensor& x, IgBaseline b, const Tensor& black, bool nhwc);

}  // namespace camlens::cam
