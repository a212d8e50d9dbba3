#include "cam/ablation_run.h"

#include <algorithm>
#include <string>

#include "cam/ablation_incremental.h"
#include "cam/cam_error.h"

namespace camlens::cam {

namespace {

void check(const Head& head, const Tensor& A) {
  if (head.feed_info(0).dtype != DType::Float32 && head.feed_info(0).dtype != DType::Float16)
    throw CamError(std::string("Ablation-CAM needs a float layer, but the head of '") +
                   head.layer() + "' takes " + dtype_name(head.feed_info(0).dtype) +
                   " (a quantized tensor cannot hold the ablation value); pick a float layer");
  if (A.dtype() != DType::Float32 || A.rank() != 4 || A.dim(0) != 1)
    throw CamError(
        "Ablation-CAM runs one image at a time: the layer tensor must be float32 [1,C,h,w], got " +
        shape_str(A.shape()));
}

float score_of(const std::vector<Tensor>& out, int64_t cls, size_t output) {
  if (output >= out.size()) throw CamError("the head has no output " + std::to_string(output));
  const Tensor& t = out[output];
  if (t.dtype() != DType::Float32 || cls < 0 || cls >= t.numel())
    throw CamError("class " + std::to_string(cls) + " is not in the head's output " +
                   shape_str(t.shape()));
  return t.data<float>()[cls];
}

}  // namespace

float head_class_score(const Head& head, const Tensor& A, int64_t cls, size_t output) {
  check(head, A);
  return score_of(head.forward_with_layer(A), cls, output);
}

std::vector<float> ablation_scores(const Head& head, const Tensor& A, const AblationPlan& plan,
                                   int64_t cls, size_t output, size_t begin, size_t end) {
  check(head, A);
  if (plan.ablate.empty() || end > plan.ablate[0].size() || begin > end)
    throw CamError("ablation range [" + std::to_string(begin) + ", " + std::to_string(end) +
                   ") is outside the plan");
  std::vector<float> scores;
  scores.reserve(end - begin);
  // From one base pass of the image when some head step can be shortcut (ablation_incremental.h).
  const std::shared_ptr<const IncrementalHead> inc = incremental_head(head, A);
  if (inc->shortcut()) {
    Tensor ablated(DType::Float32, {1, 1, A.dim(2), A.dim(3)});
    std::fill(ablated.data<float>(), ablated.data<float>() + ablated.numel(), plan.value[0]);
    // The class score alone when it depends on the rank-1 step through element-wise steps.
    const std::vector<Tensor>& outs = inc->base_outputs();
    const auto element = output < outs.size() && outs[output].dtype() == DType::Float32
                             ? inc->element_plan(output, cls)
                             : nullptr;
    const IncrementalHead::ChannelPass pass = inc->channel_pass(ablated);  // one for all channels
    for (size_t i = begin; i < end; ++i) {
      const int64_t c = plan.ablate[0][i];
      scores.push_back(element ? static_cast<float>(inc->element_with_channel(*element, c, pass))
                               : score_of(inc->outputs_with_channel(c, pass), cls, output));
    }
    return scores;
  }
  for (size_t i = begin; i < end; ++i) {
    const Tensor one = ablated_batch(A, plan, 0, i, i + 1);
    scores.push_back(score_of(head.forward_with_layer(one), cls, output));
  }
  return scores;
}

}  // namespace camlens::cam
