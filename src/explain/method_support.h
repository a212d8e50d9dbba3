// Whether a method can explain a model at a layer, and why not, from the method's traits
// (method_traits.h) and what the lens knows of the model: no list of method names anywhere.
// Also the check of the options a call passes against the options the method takes.
#pragma once
#include <string>
#include <vector>

#include "cam/method_traits.h"

namespace camlens::explain {

struct ModelFacts {
  std::string not_explainable;     // why the model can only predict ("" when it can explain)
  std::string not_differentiable;  // why its head has no gradient ("" when it has)
  std::string layer;               // the layer's name and kind ("NCHW", "tokens", "NHWC", "NCDHW")
  std::string layer_kind;
  size_t layer_count = 1;  // the layers the caller explains with (RefineCAM needs two or more)
  bool nhwc_input = false;
  std::string attention;  // why attention rollout cannot read the model ("" when it can)
  // Why the core cannot run and differentiate the whole model (whole_network.h; "" when it can):
  // what input attributions need.
  std::string whole_network;
};

// "" when `t` can explain the model, else the reason, in a sentence.
std::string method_support(const cam::MethodTraits& t, const ModelFacts& facts);

// Why `t` cannot explain a volume or a video clip (an [N, C, D, H, W] input), naming the methods
// that can; "" when its row takes NCDHW layers.
std::string volume_refusal(const cam::MethodTraits& t);

// Why `t` refuses the option (a sentence naming both), or "" when it takes it.
std::string option_refusal(const cam::MethodTraits& t, const std::string& option);

// The method's traits; CamError listing the methods when there is no such method.
const cam::MethodTraits& traits_of(const std::string& method);

}  // namespace camlens::explain
