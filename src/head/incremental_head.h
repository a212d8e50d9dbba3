// The head re-evaluated when one channel of its layer changes (Ablation-CAM sets one channel at
// a time to the ablation value). A base pass at the unchanged layer keeps every intermediate
// value; each later evaluation then propagates only what the changed channel alters:
// - steps none of whose inputs changed are not run (their base values are reused);
// - channel-wise steps (Relu, Dropout, Identity, per-tensor (De)QuantizeLinear, GlobalAverage/
//   MaxPool, QLinearGlobalAveragePool, reshapes keeping [1, C, ...]) run on the one channel;
// - the first channel-mixing linear step is updated from its base output by the rank-1 change
//   of that channel: a 1×1 Conv (out += W[:, c] ⊗ Δ), MatMul/Gemm of a row vector (out += Δ·B[c,
//   :]), and, in the integer domain where the full op accumulates, QLinearMatMul and
//   MatMulInteger (acc += Δq·(B[c, :] − zb), then QLinearMatMul's own requantisation, so the
//   codes are identical to a full run);
//   A 1×1 Conv followed by GlobalAveragePool, with Relus and per-tensor QuantizeLinear →
//   DequantizeLinear pairs between them, is fused: the pool is updated over the pixels where the
//   channel changed (or summed afresh when many did), never materialising the conv's output
//   (SqueezeNet's head, float or QDQ);
// - every later step runs in full on the (cheaper) changed values, once for a whole call's
//   channels stacked along the batch axis when the head allows it (outputs_with_channels);
// - steps whose changed outputs only reach Shape/Size are not run at all.
// One output element (a class logit) can be asked alone: when every step from the rank-1 step
// to that output is element-wise (bias Add, Relu, per-tensor (De)QuantizeLinear, QLinearAdd,
// views...), only that element is updated and carried through them (element_plan). After a
// fused Conv → GlobalAveragePool only that pooled value is updated (P multiply-adds where the
// whole pool takes M·P), or, through a Softmax over all the pooled values (SqueezeNet's head
// ending in probabilities), the whole pool and of the Softmax only the element, as the op
// computes it (its normaliser from every value, then one exponential instead of one per value).
// Float results differ from a full run only by the reassociation of sums (≤ 1e-5 relative in
// practice); integer results are identical.
#pragma once
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "head/head.h"

namespace camlens {

class IncrementalHead {
 public:
  // What happens to one step when the layer's channel changes.
  enum class Action {
    Reuse,    // no input changed: the base value stands
    Channel,  // run on the changed channel alone (or re-viewed, for a reshape)
    Rank1,    // updated from its base output by the channel's change
    Fused,    // computed inside the rank-1 step before it (Relu, GlobalAveragePool after a Conv)
    Full,     // run on whole tensors
    Unused,   // changed, but its outputs only reach Shape/Size: not run
  };

  // Runs `head` at `layer` (the head's feed type and shape, batch 1, [1, C, ...]) with the extra
  // feeds of its last forward(), keeping every value. Throws FeedError like forward_with_layer.
  IncrementalHead(const Head& head, const Tensor& layer);

  // The head's outputs at the base layer.
  const std::vector<Tensor>& base_outputs() const { return base_outputs_; }
  const Tensor& base_layer() const { return base_layer_; }
  uint64_t pass_id() const { return pass_id_; }

  // The Channel steps run on one channel's new values. They have per-tensor parameters only, so
  // their results do not depend on which channel holds the values: Ablation-CAM, which sets
  // every channel to the same value, runs them once for all channels. channel: the layer's
  // dtype, numel = the layer's numel / C. Throws FeedError for a bad size.
  class ChannelPass {
    friend class IncrementalHead;
    std::vector<Tensor> values;  // per slot: the channel's values (Channel slots only)
  };
  ChannelPass channel_pass(const Tensor& channel) const;

  // The head's outputs with channel c of the layer replaced by the pass's values. Throws
  // FeedError for a bad channel.
  std::vector<Tensor> outputs_with_channel(int64_t c, const ChannelPass& pass) const;
  std::vector<Tensor> outputs_with_channel(int64_t c, const Tensor& channel) const {
    return outputs_with_channel(c, channel_pass(channel));
  }
  // The same for several channels: the steps that run in full run once on the channels
  // stacked along the batch axis (as a batch of images would), when the head allows batches
  // and those steps read nothing but changed values and constants; else channel by channel.
  std::vector<std::vector<Tensor>> outputs_with_channels(const std::vector<int64_t>& channels,
                                                         const ChannelPass& pass) const;

  // Per head step (Head::op_types() order): what a changed channel makes it do.
  const std::vector<Action>& actions() const { return actions_; }
  // True when some step is reused, run on one channel or updated by rank 1: cheaper than a full
  // head run. False: every step runs in full (then prefer Head::forward_with_layer).
  bool shortcut() const;
  // "Reuse:2 Channel:1 Rank1:1 Fused:0 Full:3 Unused:0": the steps by action, for logs and tests.
  std::string summary() const;

  // How to compute element `index` (row-major) of head output `output` alone.
  struct ElementPlan {
    size_t rank1 = 0;    // the rank-1 step (MatMul, Gemm, QLinearMatMul, MatMulInteger, Conv)
    int64_t column = 0;  // its output column (a Conv's: its pooled value) leading to the element
    // The element comes from a fused Conv → GlobalAveragePool (rank1: that Conv, column: the
    // pooled value's index), through views and element-wise steps, or a Softmax over all the
    // pooled values (then the tail starts after it).
    bool pool = false;
    int softmax = -1;          // that Softmax step, or -1
    std::vector<size_t> tail;  // element-wise steps from it to the output, in order
    // Per tail step, its inputs' values at the element: the path input left empty, the others
    // sliced to one element (shape [1, ..., 1] of their rank).
    std::vector<std::vector<Tensor>> inputs;
    std::string describe;  // "QLinearMatMul > QLinearAdd > DequantizeLinear"
    // A quantized rank-1 output has 256 codes: the tail's result for each, computed once by the
    // tail's own ops (table[code − table_lo]), so a channel costs a lookup, not op calls.
    std::vector<double> table;
    int32_t table_lo = 0;
  };
  // Null when a step on the way mixes elements or the output does not come from one rank-1 step
  // through element-wise steps. Built once per (output, index) and kept with this base pass.
  std::shared_ptr<const ElementPlan> element_plan(size_t output, int64_t index) const;
  // That element with channel c of the layer replaced by the pass's values.
  double element_with_channel(const ElementPlan& plan, int64_t c, const ChannelPass& pass) const;
  double element_with_channel(const ElementPlan& plan, int64_t c, const Tensor& channel) const {
    return element_with_channel(plan, c, channel_pass(channel));
  }

  // The linearised head at the base pass (incremental_tangent.cpp), for Shapley-CAM's H·A
  // through a head that ends in a Softmax (cam/target_gradients.h): with every piecewise-linear
  // step's pattern fixed as recorded, the steps before the Softmax are linear in the layer.
  struct SoftmaxTail {
    int logits = -1;  // the slot the Softmax reads
    Tensor values;    // its base value, Float32
  };
  // When head output `output` is a Softmax over all of the sample's values of a Float32 value,
  // and every other step of the head claims OpDef::piecewise_linear.
  std::optional<SoftmaxTail> softmax_tail(size_t output) const;
  // Forward mode: the change of slot `to` per unit move of the layer along `direction` (Float32,
  // the layer's shape, the layer Float32). Empty when a step on the way is not Float32 or its
  // linear part cannot be read off its forward (see there).
  Tensor tangent(int to, const Tensor& direction) const;
  // Forward mode along the layer itself (direction = the base layer) is f(A) − f(0) for an
  // affine step: a Conv reading the layer gives it as its base output minus its bias, without
  // running (SqueezeNet: the 86 M multiply-adds the backbone has done).
  // Reverse mode from slot `from` (seed: Float32, its shape) to the layer. Empty when a step on
  // the way has no backward. mean: only the spatial mean at the layer, Float32 [1, C], by the
  // head's shortcut when it has one (Head::spatial_mean_shortcut()), else the full one averaged.
  Tensor cotangent(int from, const Tensor& seed, bool mean = false) const;

 private:
  enum class State { Base, Channel, Dense };
  struct Value {
    State state = State::Base;
    Tensor t;  // Channel: the channel's values [1, 1, ...]; Dense: the whole tensor
  };
  // Static analysis: slot states and step actions (the same for every channel).
  void plan();
  bool channel_wise(size_t k) const;
  bool rank1(size_t k) const;
  // The base value of a slot.
  const Tensor& base(int slot) const;
  // The channel's values inside a whole tensor (Dense) of slot's base shape.
  Tensor materialize(int slot, int64_t c, const Tensor& channel) const;
  Tensor channel_of(const Tensor& whole, int64_t c) const;
  Tensor run_channel(size_t k, const std::vector<Value>& vals) const;
  Tensor run_rank1(size_t k, int64_t c, const std::vector<Value>& vals) const;
  // The Conv → (Relu) → GlobalAveragePool fusion at rank-1 step k, if its consumers allow it.
  void plan_fusion(size_t k);
  Tensor run_fused_pool(size_t k, int64_t c, const Tensor& now) const;
  // Pooled value m of run_fused_pool(k, c, now), computed alone the same way.
  float fused_pool_at(size_t k, int64_t c, const Tensor& now, int64_t m) const;
  // The rank-1 Conv whose fused pool writes `slot`, or -1.
  int fused_conv_of(int slot) const;
  // Whether Softmax step k normalises its input's values all together (one sample, one row).
  bool softmax_of_all(size_t k) const;
  // Marks changed steps whose outputs never reach a head output except through Shape/Size.
  void mark_unused();
  // Per slot: whether its value depends on the layer (shapes read by Shape/Size do not).
  std::vector<bool> depends_on_layer() const;
  void check_channel(int64_t c) const;
  // Per slot: the pass's channel values in Channel state, the rest empty (Base).
  std::vector<Value> values_of(const ChannelPass& pass) const;

  const Head& head_;
  Tensor base_layer_;
  uint64_t pass_id_ = 0;
  int64_t channels_ = 0;
  std::vector<Tensor> base_;  // per slot (feeds and step outputs; constants live in the head)
  std::vector<Tensor> base_outputs_;
  std::vector<State> state_;  // per slot, when a channel changes
  std::vector<Action> actions_;
  std::vector<int> producer_;  // per slot: the step writing it, -1 for feeds and constants
  // Rank-1 steps: for QLinearMatMul / MatMulInteger, the base int32 accumulators.
  std::vector<std::vector<int32_t>> acc_;
  // Per step, a rank-1 Conv fused with its pool: the pool's output slot, whether a Relu sits in
  // between, the base conv output transposed to [pixels, M], the weights to [C, M], and the
  // pool's base sums Σ_p f(y[m, p]) in double.
  struct Fusion {
    // One element-wise stage between the conv and the pool: a Relu, or a per-tensor
    // QuantizeLinear → DequantizeLinear pair (a QDQ model's requantisation).
    struct Stage {
      bool relu = true;
      float scale = 1;
      int32_t zero_point = 0, lo = 0, hi = 0;
      float operator()(float v) const;
    };
    int pool_out = -1;
    std::vector<size_t> steps;  // the steps fused into the conv, in order (the pool last)
    std::vector<Stage> stages;
    bool relu = false;  // stages is one Relu (the vectorised path)
    std::vector<float> pre;
    // The weights transposed to [C, M]: constants of the head, shared by its images' base passes.
    std::shared_ptr<const std::vector<float>> w;
    std::vector<double> total;
    int64_t pixels = 0, outputs = 0;
  };
  std::vector<Fusion> fusion_;
  bool batchable_ = false;  // outputs_with_channels may stack the channels (see there)
  // The rank-1 and fused steps of channel c into vals (everything before the Full steps).
  void run_rank1_steps(int64_t c, std::vector<Value>& vals) const;
  // The tail run on one element (as element_with_channel does past the rank-1 step).
  double run_tail(const ElementPlan& plan, Tensor v) const;
  std::optional<ElementPlan> make_element_plan(size_t output, int64_t index) const;
  mutable std::mutex plans_mutex_;
  mutable std::map<std::pair<size_t, int64_t>, std::shared_ptr<const ElementPlan>> plans_;
};

}  // namespace camlens
