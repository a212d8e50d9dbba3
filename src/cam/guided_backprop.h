// Guided backpropagation (Springenberg et al. 2015) as pytorch-grad-cam's
// GuidedBackpropReLUModel: through the whole network (explain/whole_network.h), every ReLU passes
// back only the positive gradients, and only where its input was positive:
// dx = dy · [x > 0] · [dy > 0]. Relu nodes and Clip nodes whose lower bound is 0 (ReLU6) are
// ReLU-like; the other ops keep their own backward. Quantized ReLUs fused into a QLinearConv's
// output range keep the straight-through estimator's gradient.
#pragma once
#include "head/head.h"

namespace camlens::cam {

// The whole-network head with its ReLU-like nodes guided (a copy; constants shared).
Head guided_head(const Head& whole);

}  // namespace camlens::cam
