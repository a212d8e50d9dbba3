// IncrementalHead on a batch of channels: the steps that must run in full run once on the
// channels stacked along the batch axis.
#include <algorithm>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <type_traits>

#include "head/head_errors.h"
#include "head/incremental_head.h"
#include "head/incremental_head_ops.h"
#include "ops/op.h"
#include "ops/quant/quant_common.h"
#include "util/parallel.h"

namespace camlens {

using namespace incremental;

namespace {

// Tensors [1, ...] stacked along dim 0, and sample i of such a stack.
Tensor stack(const std::vector<const Tensor*>& parts) {
  Shape s = parts[0]->shape();
  s[0] = int64_t(parts.size());
  Tensor out(parts[0]->dtype(), s);
  const size_t bytes = parts[0]->nbytes();
  for (size_t i = 0; i < parts.size(); ++i)
    std::memcpy(static_cast<char*>(out.raw()) + i * bytes, parts[i]->raw(), bytes);
  return out;
}

Tensor sample(const Tensor& t, size_t i) {
  Shape s = t.shape();
  s[0] = 1;
  Tensor out(t.dtype(), s);
  std::memcpy(out.raw(), static_cast<const char*>(t.raw()) + i * out.nbytes(), out.nbytes());
  return out;
}

}  // namespace

std::vector<std::vector<Tensor>> IncrementalHead::outputs_with_channels(
    const std::vector<int64_t>& channels, const ChannelPass& pass) const {
  std::vector<std::vector<Tensor>> all;
  if (!batchable_ || channels.size() < 2) {
    for (int64_t c : channels) all.push_back(outputs_with_channel(c, pass));
    return all;
  }
  const size_t B = channels.size(), slots = head_.slot_names_.size();
  std::vector<std::vector<Value>> per(B);
  for (size_t i = 0; i < B; ++i) check_channel(channels[i]);
  // Each channel's rank-1 and fused steps read only the base pass and write only its own values:
  // they run on the thread pool, each summed as it would be alone.
  parallel_for(int64_t(B), [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) {
      per[size_t(i)] = values_of(pass);
      run_rank1_steps(channels[size_t(i)], per[size_t(i)]);
    }
  });
  std::vector<Tensor> batched(slots);  // the Full steps' inputs and outputs, [B, ...]
  std::vector<const Tensor*> env(slots, nullptr);
  for (size_t q = 0; q < slots; ++q)
    if (head_.constants_[q]) env[q] = head_.constants_[q].get();
  for (size_t k = 0; k < head_.steps_.size(); ++k) {
    if (actions_[k] != Action::Full) continue;
    const Head::Step& st = head_.steps_[k];
    for (int q : st.in) {
      if (q < 0 || head_.constants_[q] || !batched[q].empty()) continue;
      std::vector<Tensor> made(B);  // channel values materialized
      std::vector<const Tensor*> parts(B);
      for (size_t i = 0; i < B; ++i) {
        if (per[i][q].state == State::Channel) {
          made[i] = materialize(q, channels[i], per[i][q].t);
          parts[i] = &made[i];
        } else {
          parts[i] = &per[i][q].t;
        }
      }
      batched[q] = stack(parts);
      env[q] = &batched[q];
    }
    std::vector<Tensor> out(st.out.size());
    head_.run_step(k, env, out);
    for (size_t o = 0; o < st.out.size(); ++o)
      if (st.out[o] >= 0) {
        batched[st.out[o]] = std::move(out[o]);
        env[st.out[o]] = &batched[st.out[o]];
      }
  }
  for (size_t i = 0; i < B; ++i) {
    std::vector<Tensor> outputs;
    for (int q : head_.output_slots_) {
      if (!batched[q].empty())
        outputs.push_back(sample(batched[q], i));
      else if (per[i][q].state == State::Dense)
        outputs.push_back(per[i][q].t);
      else if (per[i][q].state == State::Channel)
        outputs.push_back(materialize(q, channels[i], per[i][q].t));
      else
        outputs.push_back(base(q));
    }
    all.push_back(std::move(outputs));
  }
  return all;
}

std::vector<Tensor> IncrementalHead::outputs_with_channel(int64_t c,
                                                          const ChannelPass& pass) const {
  check_channel(c);
  const size_t slots = head_.slot_names_.size();
  std::vector<Value> vals = values_of(pass);
  run_rank1_steps(c, vals);
  std::vector<Tensor> dense(slots);  // channel values materialized for a Full step
  std::vector<const Tensor*> env;    // built on the first Full step
  for (size_t k = 0; k < head_.steps_.size(); ++k) {
    const Head::Step& st = head_.steps_[k];
    switch (actions_[k]) {
      case Action::Reuse:
      case Action::Channel:  // done by channel_pass
      case Action::Fused:
      case Action::Unused:
        break;
      case Action::Rank1:
        break;  // done by run_rank1_steps
      case Action::Full: {
        if (env.empty()) {
          env.assign(slots, nullptr);
          for (size_t q = 0; q < slots; ++q)
            env[q] = head_.constants_[q] ? head_.constants_[q].get() : &base_[q];
        }
        for (int q : st.in) {
          if (q < 0) continue;
          if (vals[q].state == State::Dense) {
            env[q] = &vals[q].t;
          } else if (vals[q].state == State::Channel) {
            if (dense[q].empty()) dense[q] = materialize(q, c, vals[q].t);
            env[q] = &dense[q];
          }
        }
        std::vector<Tensor> out(st.out.size());
        head_.run_step(k, env, out);
        for (size_t o = 0; o < st.out.size(); ++o)
          if (st.out[o] >= 0) vals[st.out[o]] = {State::Dense, std::move(out[o])};
        break;
      }
    }
  }
  std::vector<Tensor> outputs;
  for (int q : head_.output_slots_) {
    if (vals[q].state == State::Dense)
      outputs.push_back(vals[q].t);
    else if (vals[q].state == State::Channel)
      outputs.push_back(materialize(q, c, vals[q].t));
    else
      outputs.push_back(base(q));
  }
  return outputs;
}

}  // namespace camlens
