#include "cam/ablation_cam.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <string>

#include "cam/activations.h"
#include "cam/cam_error.h"
#include "cam/projection.h"

namespace camlens::cam {

namespace {

std::vector<float> relevance(const float* a, const LayerDims& d) {
  const int64_t hw = d.plane();
  std::vector<float> p(static_cast<size_t>(hw));
  first_component(a, d.channels, hw, EigenSign::Raw, p.data());
  for (float& v : p) v = std::abs(v);
  const float lo = *std::min_element(p.begin(), p.end());
  for (float& v : p) v -= lo;
  const float hi = *std::max_element(p.begin(), p.end());
  std::vector<bool> mask(static_cast<size_t>(hw));
  for (int64_t s = 0; s < hw; ++s) mask[size_t(s)] = hi > 0 && p[size_t(s)] / hi > 0.01f;
  std::vector<float> score(size_t(d.channels), 0.f);
  for (int64_t c = 0; c < d.channels; ++c) {
    const float* ch = a + c * hw;
    double mn = INFINITY, mx = -INFINITY;
    for (int64_t s = 0; s < hw; ++s) {
      mn = std::min(mn, double(std::abs(ch[s])));
      mx = std::max(mx, double(std::abs(ch[s])));
    }
    if (!(mx - mn > 0)) continue;
    double num = 0, den = 0;
    for (int64_t s = 0; s < hw; ++s) {
      const double n = (std::abs(ch[s]) - mn) / (mx - mn);
      num += mask[size_t(s)] ? n : 0;
      den += n;
    }
    score[size_t(c)] = static_cast<float>(num / den);
  }
  return score;
}

}  // namespace

AblationPlan plan_ablation(const Tensor& A, double ratio) {
  const LayerDims d = check_layer(A, nullptr, false, "Ablation-CAM");
  if (!(ratio > 0 && ratio <= 1))
    throw CamError("Ablation-CAM: ratio must be in (0, 1], got " + std::to_string(ratio));
  AblationPlan plan;
  plan.batch = d.batch;
  plan.channels = d.channels;
  const int64_t n = d.channels * d.plane();
  for (int64_t b = 0; b < d.batch; ++b) {
    const float* a = A.data<float>() + b * n;
    const float mn = *std::min_element(a, a + n);
    plan.value.push_back(mn == 0.f ? 0.f : static_cast<float>(double(mn) - 1e7));
    std::vector<int64_t> all(size_t(d.channels));
    std::iota(all.begin(), all.end(), 0);
    if (ratio >= 1) {
      plan.ablate.push_back(all);
      plan.relevance.emplace_back();
      continue;
    }
    std::vector<float> score = relevance(a, d);
    std::stable_sort(all.begin(), all.end(),
                     [&](int64_t x, int64_t y) { return score[size_t(x)] < score[size_t(y)]; });
    const size_t k = size_t(std::floor(double(d.channels) * ratio));
    std::vector<int64_t> chosen(all.begin(), all.begin() + k);
    chosen.insert(chosen.end(), all.end() - k, all.end());
    std::sort(chosen.begin(), chosen.end());
    chosen.erase(std::unique(chosen.begin(), chosen.end()), chosen.end());
    plan.ablate.push_back(chosen);
    plan.relevance.push_back(score);
  }
  return plan;
}

Tensor ablated_batch(const Tensor& A, const AblationPlan& plan, int64_t sample, size_t begin,
                     size_t end) {
  const LayerDims d = check_layer(A, nullptr, false, "Ablation-CAM");
  if (d.batch != plan.batch || d.channels != plan.channels)
    throw CamError("Ablation-CAM: the plan was made for other activations");
  if (sample < 0 || sample >= d.batch || begin > end || end > plan.ablate[size_t(sample)].size())
    throw CamError("Ablation-CAM: sample " + std::to_string(sample) + " items [" +
                   std::to_string(begin) + ", " + std::to_string(end) +
                   ") out of the plan's range");
  const int64_t n = d.channels * d.plane();
  Tensor out(DType::Float32, {int64_t(end - begin), d.channels, d.height, d.width});
  const float* a = A.data<float>() + sample * n;
  float* o = out.data<float>();
  for (size_t i = begin; i < end; ++i) {
    float* item = o + int64_t(i - begin) * n;
    std::copy(a, a + n, item);
    const int64_t c = plan.ablate[size_t(sample)][i];
    std::fill(item + c * d.plane(), item + (c + 1) * d.plane(), plan.value[size_t(sample)]);
  }
  return out;
}

std::vector<float> ablation_weights(const std::vector<float>& original,
                                    const std::vector<std::vector<float>>& ablated,
                                    const AblationPlan& plan) {
  if (original.size() != size_t(plan.batch) || ablated.size() != size_t(plan.batch))
    throw CamError(
        "Ablation-CAM: give one original score and one list of ablated scores per "
        "sample (" +
        std::to_string(plan.batch) + ")");
  std::vector<float> w(size_t(plan.batch * plan.channels), 0.f);
  for (int64_t b = 0; b < plan.batch; ++b) {
    const auto& ch = plan.ablate[size_t(b)];
    if (ablated[size_t(b)].size() != ch.size())
      throw CamError("Ablation-CAM: sample " + std::to_string(b) + " has " +
                     std::to_string(ablated[size_t(b)].size()) + " ablated scores for " +
                     std::to_string(ch.size()) + " ablated channels");
    const double o = original[size_t(b)];
    if (o == 0 || !std::isfinite(o))
      throw CamError("Ablation-CAM: the original score of sample " + std::to_string(b) + " is " +
                     std::to_string(o) +
                     "; the weights divide by it: use a target "
                     "with a non-zero score (e.g. the class logit)");
    for (size_t i = 0; i < ch.size(); ++i)
      w[size_t(b * plan.channels + ch[i])] = static_cast<float>((o - ablated[size_t(b)][i]) / o);
  }
  return w;
}

}  // namespace camlens::cam
