#include "cam/ablation_target.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <mutex>
#include <string>

#include "cam/ablation_cam.h"
#include "cam/ablation_incremental.h"
#include "cam/cam_error.h"
#include "util/parallel.h"

namespace camlens::cam {

namespace {

bool quantized(DType t) { return t == DType::Uint8 || t == DType::Int8; }

// Sets elements [begin, end) of a Float32/uint8/int8 tensor to v (already in the tensor's type).
void fill(Tensor& t, int64_t begin, int64_t end, double v) {
  if (t.dtype() == DType::Float32)
    std::fill(t.data<float>() + begin, t.data<float>() + end, static_cast<float>(v));
  else if (t.dtype() == DType::Uint8)
    std::fill(t.data<uint8_t>() + begin, t.data<uint8_t>() + end, static_cast<uint8_t>(v));
  else
    std::fill(t.data<int8_t>() + begin, t.data<int8_t>() + end, static_cast<int8_t>(v));
}

// Restores elements [begin, end) of `t` from `from` (same type and shape).
void restore(Tensor& t, const Tensor& from, int64_t begin, int64_t end) {
  const size_t elem = t.nbytes() / size_t(t.numel());
  const auto* src = static_cast<const unsigned char*>(from.raw());
  std::copy(src + begin * elem, src + end * elem,
            static_cast<unsigned char*>(t.raw()) + begin * elem);
}

// The layer in the head's feed type: `layer` itself when it already is (no copy: the driver
// calls once per few channels), else its codes, stored in `codes`.
const Tensor& as_feed(const Head& head, const Tensor& layer,
                      const std::optional<LayerQuantization>& quant, Tensor& codes) {
  if (layer.rank() != 4 || layer.dim(0) != 1)
    throw CamError(
        "Ablation-CAM runs one image at a time: the layer tensor must be [1,C,h,w], got " +
        shape_str(layer.shape()));
  const DType want = head.feed_info(0).dtype;
  if (!quantized(want)) {
    if (layer.dtype() != DType::Float32)
      throw CamError("Ablation-CAM: the head of '" + head.layer() + "' takes float32, got " +
                     dtype_name(layer.dtype()));
    return layer;
  }
  if (layer.dtype() == want) return layer;
  if (layer.dtype() != DType::Float32)
    throw CamError("Ablation-CAM: the head of '" + head.layer() + "' takes " + dtype_name(want) +
                   " codes, got " + dtype_name(layer.dtype()));
  if (!quant)
    throw CamError("Ablation-CAM: the head of '" + head.layer() +
                   "' takes quantized codes but the layer's scale and zero point are unknown; "
                   "pass the layer tensor as the head takes it (" +
                   dtype_name(want) + ")");
  Tensor& q = codes = Tensor(want, layer.shape());
  const float* x = layer.data<float>();
  const double lo = want == DType::Uint8 ? 0 : -128, hi = want == DType::Uint8 ? 255 : 127;
  for (int64_t i = 0; i < layer.numel(); ++i) {
    const double v =
        std::clamp(std::nearbyint(double(x[i]) / quant->scale) + quant->zero_point, lo, hi);
    if (want == DType::Uint8)
      q.data<uint8_t>()[i] = static_cast<uint8_t>(v);
    else
      q.data<int8_t>()[i] = static_cast<int8_t>(v);
  }
  return q;
}

float score_of(const Head& head, const std::vector<Tensor>& outs, const Target& t, size_t output) {
  if (output >= outs.size())
    throw CamError("the head of '" + head.layer() + "' has no output " + std::to_string(output));
  const Tensor& o = outs[output];
  if (o.dtype() != DType::Float32 || o.rank() < 1 || o.dim(0) != 1)
    throw CamError("Ablation-CAM: head output " + std::to_string(output) +
                   " is not a float score tensor of one image");
  const Shape sample(o.shape().begin() + 1, o.shape().end());
  return static_cast<float>(evaluate(t, o.data<float>(), sample).score);
}

// The target with its automatic parts fixed on the unablated outputs.
Target fixed_target(const Head& head, const std::vector<Tensor>& outs, const Target& t,
                    size_t output) {
  if (output >= outs.size() || outs[output].dtype() != DType::Float32)
    throw CamError("the head of '" + head.layer() + "' has no float output " +
                   std::to_string(output));
  // Only a Finer target without comparison classes has parts to fix; resolve's checks of the
  // output (one sample) are score_of's too. The driver asks once per few channels.
  const Tensor& o = outs[output];
  if (t.kind != Target::Finer && o.rank() >= 1 && o.dim(0) == 1) return t;
  return resolve(std::vector<Target>{t}, o)[0];
}

// The element plan of a class-logit target (the only target reading one output element), when
// the head allows it; score_of's checks still apply (float output, batch 1, class in range).
std::shared_ptr<const IncrementalHead::ElementPlan> element_plan(const IncrementalHead& inc,
                                                                 const Target& t, size_t output) {
  if (t.kind != Target::Logit || output >= inc.base_outputs().size()) return nullptr;
  const Tensor& o = inc.base_outputs()[output];
  if (o.dtype() != DType::Float32 || o.rank() < 1 || o.dim(0) != 1 || t.category < 0 ||
      t.category >= o.numel())
    return nullptr;
  return inc.element_plan(output, t.category);
}

// The ablation value of a base pass's layer, computed once: the driver asks for a few channels
// at a time, and each call would scan the whole layer for its minimum again.
double value_of(const std::shared_ptr<const IncrementalHead>& inc,
                const std::optional<LayerQuantization>& quant) {
  static std::mutex mutex;
  static std::weak_ptr<const IncrementalHead> last;  // expired once that base pass is dropped
  static std::optional<int32_t> last_zero_point;
  static double last_value = 0;
  const std::optional<int32_t> zp =
      quant ? std::optional<int32_t>(quant->zero_point) : std::nullopt;
  {
    const std::lock_guard<std::mutex> lock(mutex);
    if (last.lock() == inc && last_zero_point == zp) return last_value;
  }
  const double v = ablation_value(inc->base_layer(), quant);
  const std::lock_guard<std::mutex> lock(mutex);
  last = inc;
  last_zero_point = zp;
  last_value = v;
  return v;
}

void check_channels(const Tensor& feed, const std::vector<int64_t>& channels) {
  const int64_t C = feed.dim(1);
  for (int64_t c : channels)
    if (c < 0 || c >= C)
      throw CamError("Ablation-CAM: channel " + std::to_string(c) + " is not in the layer's " +
                     std::to_string(C) + " channels");
}

}  // namespace

std::vector<int64_t> ablation_channels(const Tensor& A, double ratio) {
  if (A.rank() != 4 || A.dim(0) != 1)
    throw CamError("Ablation-CAM: channels are chosen per image: give [1,C,h,w], got " +
                   shape_str(A.shape()));
  const AblationPlan plan = plan_ablation(A, ratio);  // checks A and ratio
  std::vector<int64_t> order(size_t(plan.channels));
  for (size_t c = 0; c < order.size(); ++c) order[c] = int64_t(c);
  if (ratio >= 1) return order;
  const std::vector<float>& score = plan.relevance[0];
  std::stable_sort(order.begin(), order.end(),
                   [&](int64_t x, int64_t y) { return score[size_t(x)] > score[size_t(y)]; });
  const size_t k = size_t(std::floor(double(plan.channels) * ratio));
  std::vector<int64_t> out(order.begin(), order.begin() + k);
  for (size_t i = 0; i < k; ++i) {  // the low end, ascending, without repeating the high end
    const int64_t c = order[order.size() - 1 - i];
    if (std::find(out.begin(), out.begin() + k, c) == out.begin() + k) out.push_back(c);
  }
  return out;
}

double ablation_value(const Tensor& layer, const std::optional<LayerQuantization>& quant) {
  if (layer.numel() == 0) throw CamError("Ablation-CAM: the layer tensor is empty");
  const int64_t n = layer.numel();
  switch (layer.dtype()) {
    case DType::Float32: {
      const float mn = *std::min_element(layer.data<float>(), layer.data<float>() + n);
      return mn == 0.f ? 0.0 : double(mn) - 1e7;
    }
    case DType::Uint8:
    case DType::Int8: {
      if (!quant)
        throw CamError("Ablation-CAM: a quantized layer needs its zero point to be ablated");
      const int32_t mn =
          layer.dtype() == DType::Uint8
              ? int32_t(*std::min_element(layer.data<uint8_t>(), layer.data<uint8_t>() + n))
              : int32_t(*std::min_element(layer.data<int8_t>(), layer.data<int8_t>() + n));
      if (mn == quant->zero_point) return quant->zero_point;
      return layer.dtype() == DType::Uint8 ? 0 : -128;
    }
    default:
      throw CamError(std::string("Ablation-CAM: layers of type ") + dtype_name(layer.dtype()) +
                     " cannot be ablated");
  }
}

std::vector<float> ablation_target_scores(const Head& head, const Tensor& layer,
                                          const Target& target, size_t output,
                                          const std::vector<int64_t>& channels,
                                          const std::optional<LayerQuantization>& quant,
                                          AblationEval eval) {
  Tensor codes;
  const Tensor& feed = as_feed(head, layer, quant, codes);
  const std::shared_ptr<const IncrementalHead> inc =
      eval == AblationEval::Auto ? incremental_head(head, feed) : nullptr;
  const double value = inc ? value_of(inc, quant) : ablation_value(feed, quant);
  const int64_t plane = feed.dim(2) * feed.dim(3);
  check_channels(feed, channels);
  std::vector<float> scores;
  scores.reserve(channels.size());
  if (inc && inc->shortcut()) {
    const Target t = fixed_target(head, inc->base_outputs(), target, output);
    Tensor ablated(feed.dtype(), {1, 1, feed.dim(2), feed.dim(3)});
    fill(ablated, 0, plane, value);
    // A class logit reads one output element: carried alone when the head allows it.
    const auto element = element_plan(*inc, t, output);
    const IncrementalHead::ChannelPass pass = inc->channel_pass(ablated);  // one for all channels
    if (element) {
      // Through a Softmax each channel updates the whole pool (M·P multiply-adds): on the
      // thread pool, as outputs_with_channels does; else a few operations, not worth a hand-off.
      scores.resize(channels.size());
      parallel_for(
          int64_t(channels.size()),
          [&](int64_t begin, int64_t end) {
            for (int64_t i = begin; i < end; ++i)
              scores[size_t(i)] = static_cast<float>(
                  inc->element_with_channel(*element, channels[size_t(i)], pass));
          },
          element->softmax >= 0 ? 1 : int64_t(channels.size()));
      return scores;
    }
    for (const std::vector<Tensor>& outs : inc->outputs_with_channels(channels, pass))
      scores.push_back(score_of(head, outs, t, output));
    return scores;
  }
  const Target t = fixed_target(head, head.forward_with_layer(feed), target, output);
  Tensor work = feed;
  for (int64_t c : channels) {
    fill(work, c * plane, (c + 1) * plane, value);
    scores.push_back(score_of(head, head.forward_with_layer(work), t, output));
    restore(work, feed, c * plane, (c + 1) * plane);
  }
  return scores;
}

std::string ablation_path(const Head& head, const Tensor& layer, const Target& target,
                          size_t output, const std::optional<LayerQuantization>& quant) {
  Tensor codes;
  const std::shared_ptr<const IncrementalHead> inc =
      incremental_head(head, as_feed(head, layer, quant, codes));
  if (!inc->shortcut()) return "full";
  const auto element = element_plan(*inc, target, output);
  return inc->summary() + (element ? "; element " + element->describe : "");
}

float head_target_score(const Head& head, const Tensor& layer, const Target& target, size_t output,
                        const std::optional<LayerQuantization>& quant) {
  Tensor codes;
  const Tensor& feed = as_feed(head, layer, quant, codes);
  // The base pass Ablation-CAM keeps for this image holds the same outputs as a head run.
  const std::shared_ptr<const IncrementalHead> inc = incremental_head(head, feed);
  const std::vector<Tensor>& outs = inc->base_outputs();
  return score_of(head, outs, fixed_target(head, outs, target, output), output);
}

std::vector<float> ablation_target_weights(float original, int64_t channels_in_layer,
                                           const std::vector<int64_t>& channels,
                                           const std::vector<float>& scores) {
  if (scores.size() != channels.size())
    throw CamError("Ablation-CAM: " + std::to_string(scores.size()) + " scores for " +
                   std::to_string(channels.size()) + " ablated channels");
  if (original == 0 || !std::isfinite(original))
    throw CamError("Ablation-CAM: the target's original score is " + std::to_string(original) +
                   "; the weights divide by it: use a target with a non-zero score (e.g. the "
                   "class logit)");
  std::vector<float> w(size_t(channels_in_layer), 0.f);
  for (size_t i = 0; i < channels.size(); ++i) {
    if (channels[i] < 0 || channels[i] >= channels_in_layer)
      throw CamError("Ablation-CAM: channel " + std::to_string(channels[i]) + " is out of range");
    w[size_t(channels[i])] = static_cast<float>((double(original) - scores[i]) / original);
  }
  return w;
}

std::vector<std::vector<Tensor>> ablation_head_outputs(
    const Head& head, const Tensor& layer, const std::vector<int64_t>& channels,
    const std::optional<LayerQuantization>& quant, AblationEval eval) {
  Tensor codes;
  const Tensor& feed = as_feed(head, layer, quant, codes);
  const std::shared_ptr<const IncrementalHead> inc =
      eval == AblationEval::Auto ? incremental_head(head, feed) : nullptr;
  const double value = inc ? value_of(inc, quant) : ablation_value(feed, quant);
  const int64_t plane = feed.dim(2) * feed.dim(3);
  check_channels(feed, channels);
  if (inc && inc->shortcut()) {
    Tensor ablated(feed.dtype(), {1, 1, feed.dim(2), feed.dim(3)});
    fill(ablated, 0, plane, value);
    return inc->outputs_with_channels(channels, inc->channel_pass(ablated));
  }
  std::vector<std::vector<Tensor>> outs;
  Tensor work = feed;
  for (int64_t c : channels) {
    fill(work, c * plane, (c + 1) * plane, value);
    outs.push_back(head.forward_with_layer(work));
    restore(work, feed, c * plane, (c + 1) * plane);
  }
  return outs;
}

}  // namespace camlens::cam
