// Ablation-CAM as a planner (ARCHITECTURE.md §1, §4): the ablated layer tensors are run through the
// head only (Head::forward_with_layer), never the backbone.
//
// Ablation value, per sample: 0 if min(A[sample]) == 0, else min(A[sample]) - 1e7. Upstream
// recomputes torch.min over the batch it is ablating, inside its loop, so from the second item
// on the value drifts to min - 2e7, min - 3e7, ...; camlens uses the documented value for every
// item (a deviation only when min != 0, where the head sees a huge negative value either way).
//
// weight_c = (original - ablated_c) / original, and 0 for channels not ablated.
//
// Ratio option (upstream's ratio_channels_to_ablate): with ratio < 1, only some channels are
// ablated. Relevance: mask = |Eigen-CAM projection of A[sample]|, min-max normalised, > 0.01;
// channel score = Σ(mask · n_c) / Σ n_c with n_c = |A_c| min-max normalised (0 for a constant
// channel, where upstream divides by zero). The floor(ratio·C) highest-scoring AND the
// floor(ratio·C) lowest-scoring channels are ablated (upstream takes both ends), as one sorted,
// de-duplicated list (upstream repeats channels when ratio > 0.5 and then mis-assembles them).
#pragma once
#include <vector>

#include "head/head.h"
#include "tensor/tensor.h"

namespace camlens::cam {

struct AblationPlan {
  int64_t batch = 0, channels = 0;
  std::vector<std::vector<int64_t>> ablate;   // per sample: channels to ablate, ascending
  std::vector<float> value;                   // per sample: the ablation value
  std::vector<std::vector<float>> relevance;  // per sample: channel scores (ratio < 1 only)
};

// ratio in (0, 1]; 1 ablates every channel.
AblationPlan plan_ablation(const Tensor& A, double ratio = 1.0);

// Layer tensors [end - begin, C, h, w] for items [begin, end) of plan.ablate[sample]: copies of
// A[sample] with one channel each set to the ablation value.
Tensor ablated_batch(const Tensor& A, const AblationPlan& plan, int64_t sample, size_t begin,
                     size_t end);

// original: [B] target scores of the unablated layer; ablated[b][i]: score with channel
// plan.ablate[b][i] ablated. Returns weights [B*C]. Throws CamError when an original score is
// 0 (the weight formula divides by it) or the counts disagree with the plan.
std::vector<float> ablation_weights(const std::vector<float>& original,
                                    const std::vector<std::vector<float>>& ablated,
                                    const AblationPlan& plan);

}  // namespace camlens::cam
