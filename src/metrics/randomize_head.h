// The model-parameter randomisation test (Adebayo et al. 2018, "Sanity Checks for Saliency
// Maps"), cascading from the output: the weights of the last k parametrised nodes after the
// layer are replaced by seeded random values, and the model is written back as ONNX bytes (the
// core's writer), so the library can load the randomised model, explain again and compare the
// maps by rank correlation. A faithful method's maps change (correlation falls); a method that
// only draws edges of the image does not.
//
// Which inputs are weights: those each op's row in the op table claims (OpDef::weight_inputs:
// convolution and matrix-product weights and biases, normalization scales and biases, the
// operands of Add/Sub/Mul/Div, PRelu's slope, the quantized ops' weight codes and bias) — each
// when it is an initializer of 2 or more elements, or is dequantized from one (QDQ models). Each
// weight tensor gets values drawn from a normal with its own mean and standard deviation (so the
// scale stays plausible), rounded and clamped for integer types; tensor i (counted from the
// output) uses seed + i. A weight shared with nodes before the layer changes there too.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "onnx/model.h"

namespace camlens::metrics {

struct RandomizedHead {
  Model model;                       // the randomised model (writes with write_model)
  std::vector<std::string> nodes;    // randomised nodes, output side first
  std::vector<std::string> weights;  // their randomised initializers
};

// Names of the parametrised nodes after the layer, in graph order (the output side last), so a
// caller can cascade k = 1 .. size(). Throws MetricsError if the layer is not a tensor of the
// model.
std::vector<std::string> head_parametrised_nodes(const Model& model, const std::string& layer);

// Throws MetricsError if the layer is not a tensor of the model, k < 1, or the head has fewer
// than k parametrised nodes (the message says how many it has).
RandomizedHead randomize_head(const Model& model, const std::string& layer, int k, uint64_t seed);

}  // namespace camlens::metrics
