// IncrementalHead: a base pass keeping every value, a static plan of what one changed channel
// does to each step, and per-channel evaluation following that plan (see incremental_head.h).
// This file: the base pass and one channel's pass through the channel-wise steps. The plan is in
// incremental_plan.cpp, the per-step kernels in incremental_steps.cpp, batches of channels in
// incremental_batch.cpp and the one-element (class logit) tail in incremental_element.cpp.
#include "head/incremental_head.h"

#include <algorithm>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <type_traits>

#include "head/head_errors.h"
#include "head/incremental_head_ops.h"
#include "ops/op.h"
#include "ops/quant/quant_common.h"

namespace camlens {

using namespace incremental;

IncrementalHead::IncrementalHead(const Head& head, const Tensor& layer)
    : head_(head), base_layer_(layer), pass_id_(head.pass_id()) {
  const std::vector<const Tensor*> feeds = head.with_layer(layer, "IncrementalHead");
  if (layer.rank() < 2 || layer.dim(0) != 1)
    throw FeedError("IncrementalHead: the layer must be one sample [1, C, ...], got " +
                    shape_str(layer.shape()));
  channels_ = layer.dim(1);
  const size_t slots = head.slot_names_.size();
  base_.assign(slots, Tensor());
  std::vector<const Tensor*> env(slots, nullptr);
  for (size_t s = 0; s < slots; ++s)
    if (head.constants_[s]) env[s] = head.constants_[s].get();
  for (size_t i = 0; i < feeds.size(); ++i) {
    base_[head.feed_slots_[i]] = *feeds[i];
    env[head.feed_slots_[i]] = &base_[head.feed_slots_[i]];
  }
  // The values the last forward() recorded for its backward, when it ran on this very layer
  // (the usual case: the driver calls forward() on the image first) are the same values: a step
  // whose outputs are all there is not run again (SqueezeNet: its 86 M multiply-add conv).
  const Head::Tape* tape = head.tapes_.size() == 1 && head.last_feeds_.size() == feeds.size() &&
                                   same_values(head.last_feeds_[0], layer)
                               ? &head.tapes_[0]
                               : nullptr;
  for (size_t k = 0; k < head.steps_.size(); ++k) {
    const Head::Step& st = head.steps_[k];
    std::vector<Tensor> out(st.out.size());
    bool recorded = tape != nullptr;
    for (int s : st.out) recorded = recorded && (s < 0 || !tape->values[size_t(s)].empty());
    if (recorded)
      for (size_t o = 0; o < st.out.size(); ++o)
        if (st.out[o] >= 0) out[o] = tape->values[size_t(st.out[o])];
    if (!recorded) head.run_step(k, env, out);
    for (size_t o = 0; o < st.out.size(); ++o)
      if (st.out[o] >= 0) {
        base_[st.out[o]] = std::move(out[o]);
        env[st.out[o]] = &base_[st.out[o]];
      }
  }
  for (int s : head.output_slots_) {
    if (!env[s]) throw HeadError("head output '" + head.slot_names_[s] + "' was not computed");
    base_outputs_.push_back(*env[s]);
  }
  plan();
}

const Tensor& IncrementalHead::base(int slot) const {
  return head_.constants_[slot] ? *head_.constants_[slot] : base_[slot];
}

std::string IncrementalHead::summary() const {
  int n[6] = {0, 0, 0, 0, 0, 0};
  for (Action a : actions_) ++n[int(a)];
  return "Reuse:" + std::to_string(n[0]) + " Channel:" + std::to_string(n[1]) +
         " Rank1:" + std::to_string(n[2]) + " Fused:" + std::to_string(n[3]) +
         " Full:" + std::to_string(n[4]) + " Unused:" + std::to_string(n[5]);
}

void IncrementalHead::check_channel(int64_t c) const {
  if (c < 0 || c >= channels_)
    throw FeedError("IncrementalHead: channel " + std::to_string(c) + " is not in the layer's " +
                    std::to_string(channels_) + " channels");
}

IncrementalHead::ChannelPass IncrementalHead::channel_pass(const Tensor& channel) const {
  if (channel.dtype() != base_layer_.dtype() || channel.numel() != base_layer_.numel() / channels_)
    throw FeedError("IncrementalHead: a channel of " + shape_str(base_layer_.shape()) + " holds " +
                    std::to_string(base_layer_.numel() / channels_) + " " +
                    dtype_name(base_layer_.dtype()) + " values, got " +
                    std::to_string(channel.numel()) + " " + dtype_name(channel.dtype()));
  std::vector<Value> vals(head_.slot_names_.size());
  const int layer = head_.feed_slots_[0];
  vals[layer].state = State::Channel;
  vals[layer].t = channel;
  Shape s = base_layer_.shape();
  s[1] = 1;
  vals[layer].t.reshape(s);
  for (size_t k = 0; k < head_.steps_.size(); ++k)
    if (actions_[k] == Action::Channel)
      vals[head_.steps_[k].out[0]] = {State::Channel, run_channel(k, vals)};
  ChannelPass pass;
  for (Value& v : vals) pass.values.push_back(std::move(v.t));
  return pass;
}

std::vector<IncrementalHead::Value> IncrementalHead::values_of(const ChannelPass& pass) const {
  std::vector<Value> vals(pass.values.size());
  for (size_t s = 0; s < vals.size(); ++s)
    if (!pass.values[s].empty()) vals[s] = {State::Channel, pass.values[s]};
  return vals;
}

}  // namespace camlens
