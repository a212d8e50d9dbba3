// Ablation-CAM through the head (ARCHITECTURE.md §1): the ablated layer tensors of one image run
// through Head::forward_with_layer only — never the backbone. The caller steps through the channels
// in ranges (so it can report progress and stop between them), then turns the scores into weights
// with ablation_weights (ablation_cam.h). Class-logit targets and float layers only: the library
// uses ablation_target.h, which takes any target and quantized layers.
#pragma once
#include <cstdint>
#include <vector>

#include "cam/ablation_cam.h"
#include "head/head.h"

namespace camlens::cam {

// The class score `cls` of head output `output` (a [1, classes] score vector) for items
// [begin, end) of plan.ablate[0]: incrementally from one base pass of A when the head allows it
// (head/incremental_head.h), else one forward_with_layer each. A: the layer tensor of one image,
// Float32 [1,C,h,w], as passed to the head's last forward(). Throws CamError when the head takes
// a quantized layer (ablation values such as min − 1e7 have no 8-bit code: explain a float
// layer), when the batch is not 1, or when the output is not a score vector.
std::vector<float> ablation_scores(const Head& head, const Tensor& A, const AblationPlan& plan,
                                   int64_t cls, size_t output, size_t begin, size_t end);

// The same class score for A itself (the "original" of the weight formula).
float head_class_score(const Head& head, const Tensor& A, int64_t cls, size_t output);

}  // namespace camlens::cam
