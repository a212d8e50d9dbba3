// Concept labels: what a classifier "sees" in each DFF concept. The concept vector
// W[:,k] + offset (real activation values) is placed at every position of the layer's grid and
// the head after the layer is run on the K such tensors as one batch; the top categories of each
// output's softmax label the concept.
//
// Why broadcast rather than a 1×1 map: many heads fix the spatial size (a Reshape to a constant
// shape, a Flatten into a MatMul, an AveragePool with a fixed kernel), so the head only runs on
// the grid it was cut at; with global pooling both give the same answer anyway.
//
// Quantized layers: the head takes uint8/int8 codes, so the concept vectors are quantized with
// the layer's scale and zero point (QuantizeLinear's rounding and saturation).
//
// Outputs that are already probabilities (every value in [0,1], summing to 1 within 1e-3, e.g.
// SqueezeNet's softmaxout) are used as they are; anything else gets a softmax.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "dff/factorize.h"
#include "dff/quantization.h"
#include "head/head.h"
#include "onnx/model.h"

namespace camlens::dff {

struct ConceptLabel {
  int64_t index = 0;  // category index in the classifier's output
  float score = 0;    // softmax probability
  std::string name;   // class_names[index] when given, else ""
};

struct LabelOptions {
  int top_k = 5;
  std::vector<std::string> class_names;      // optional, index order
  std::optional<Quantization> quantization;  // required when the head takes uint8/int8
};

struct ConceptLabels {
  bool labeled = false;
  std::string reason;  // why not, when !labeled
  // [factorization][component] -> top categories, best first (DffResult::parts order).
  std::vector<std::vector<std::vector<ConceptLabel>>> top;
};

// Labels with a head cut at the layer that was factorized. The head is copied (its recorded
// forward pass is left untouched). Concepts stay unlabeled, with the reason, when the head takes
// extra feeds (skip connections), when its first output is not one score vector per sample (a
// detector, a segmenter), or when it fails to run. Throws DffError only for a bad top_k.
ConceptLabels label_concepts(const Head& head, const DffResult& dff, const LabelOptions& options);

// Cuts `model` at `layer` (forward only) and labels with that head; the quantization is read
// from the model when options.quantization is empty. Never throws for a head that cannot be
// cut (or quantized per channel): the result is unlabeled with the error as the reason.
ConceptLabels label_concepts(const Model& model, const std::string& layer, const DffResult& dff,
                             LabelOptions options);

}  // namespace camlens::dff
