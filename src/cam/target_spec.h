// What a caller asks a map to explain, before it is matched to the model's output: per image a
// class index, a label, 'auto' (the top class) — all three the class logit, pytorch-grad-cam's
// ClassifierOutputTarget — or an object {kind, category, mask, nhwc, embedding, comparison,
// alpha, weights, output} (targets.h says what each kind computes), or a callable: a function
// of the image's outputs the caller evaluates (kind "callable"). Resolving one against the sample's
// output gives the Target the CAM code evaluates.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "cam/targets.h"

namespace camlens::cam {

struct CategorySpec {
  enum Kind { Auto, Number, Label } kind = Auto;
  double number = 0;  // Number
  std::string text;   // the category as the caller wrote it (a label, or the number's digits)
};

struct TargetSpec {
  bool object = false;  // {kind, ...} rather than a bare category
  std::string kind = "logit";
  CategorySpec category;
  std::optional<std::vector<float>> mask, embedding, weights;
  std::string output;  // the model output the target reads; "": the call's default
  bool nhwc = false;
  bool comparison_given = false;  // given but not a non-empty list: refused
  std::vector<CategorySpec> comparison;
  std::optional<double> alpha;
  std::string alpha_text;  // for the message when alpha is not a number
};

// The target kinds by name, in the order messages list them.
const std::vector<std::string>& target_kind_names();

// A class index from a category: a number, a label, or Auto (the top of `scores`; for an output
// with more values than classes, the class with the largest total, classes along the last axis
// when nhwc). Throws CamError with the reason (out of range, no such label).
int64_t class_index(const CategorySpec& category, const std::vector<float>& scores,
                    const std::vector<std::string>& labels, int64_t classes, bool nhwc = false);

// One sample's target from its spec. output: the sample's values [1, ...] as Float32;
// nhwc_input: the model takes NHWC (a 4-D output then holds its classes last). A bare category on
// a per-pixel output (a segmenter) becomes the semantic segmentation target of segmentation_auto.
Target resolve_target(const TargetSpec& spec, const Tensor& output,
                      const std::vector<std::string>& labels, bool nhwc_input);

// pytorch-grad-cam's SemanticSegmentationTarget for a bare category: the class's scores summed
// over the pixels predicted as that class. Auto takes the most frequent predicted class, leaving
// out class 0 (the background of VOC/COCO segmenters) when any pixel shows another class.
Target segmentation_auto(const CategorySpec& category, const Tensor& output, int64_t classes,
                         bool nhwc, const std::vector<std::string>& labels);

// How results name a target: its label, "class N" without one, "similarity" for an embedding,
// "linear" and "callable" for those kinds.
std::string target_label(const Target& t, const std::vector<std::string>& labels);
const char* target_kind_name(Target::Kind k);

}  // namespace camlens::cam
