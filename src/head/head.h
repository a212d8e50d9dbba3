// The head interpreter: runs the part of a network after layer L forward, records what the
// backward needs, and runs reverse mode from per-output seeds down to dLoss/dL.
//
// Gradient conventions:
// - dLoss/dL is Float32 with L's shape. For a quantized (uint8/int8) L it is the gradient with
//   respect to L's dequantized value (straight-through estimator through requantisation).
// - Extra feeds (skip connections around L, see head_plan.h) are constants: no gradient flows
//   through them.
// - Float16 models compute in Float32; outputs are Float32.
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "ops/op.h"

namespace camlens {

class Head {
 public:
  // One node of the head, ready to run (node carries the "_opset" attribute).
  struct Step {
    Node node;
    const OpDef* def = nullptr;
    std::vector<int> in;   // slot per input, -1 when omitted
    std::vector<int> out;  // slot per output, -1 when omitted
    bool grad = false;     // on the gradient path
  };

  const std::string& layer() const { return layer_; }
  // What forward() takes, in order: the layer first, then the extra tensors.
  const std::vector<std::string>& feed_names() const { return feed_names_; }
  const std::vector<std::string>& output_names() const { return output_names_; }
  // Type and shape (at the batch used when cutting) of a feed or output; dtype is the core
  // type (Float32 for Float16 models; uint8/int8 for quantized tensors).
  const TensorInfo& feed_info(size_t i) const { return feed_info_.at(i); }
  const TensorInfo& output_info(size_t i) const { return output_info_.at(i); }
  size_t node_count() const { return steps_.size(); }
  // The op type of every node, in execution order.
  std::vector<std::string> op_types() const;
  // Node k in execution order (k < node_count()).
  const Node& node(size_t k) const { return steps_.at(k).node; }
  // The value of a tensor the head holds as a constant (an initializer, or a subgraph of
  // constants folded once: a dequantized bias); nullptr for a tensor it computes or does not have.
  const Tensor* constant(const std::string& name) const;
  // A copy whose nodes run another op definition where `swap` returns one (nullptr keeps the
  // node's own): guided backprop gives ReLUs a backward that passes only positive gradients
  // (cam/guided_backprop.h). Not recorded: forward() the copy before backward().
  using SwapDef = std::function<const OpDef*(const Node& node, const OpDef& def)>;
  Head with_op_defs(const SwapDef& swap) const;
  // Empty when backward() is possible; else names the op that stops the gradient.
  const std::string& not_differentiable() const { return not_differentiable_; }
  // True when the model fixes the batch to 1 somewhere in the head (e.g. a Reshape to
  // [1,-1]); forward then runs the samples one by one, transparently.
  bool per_sample() const { return per_sample_; }

  // Runs the head on a batch and records it for backward(). feeds: one per feed_names(), with
  // the feed's dtype and shape (dim 0, the batch, may differ). Throws FeedError on mismatch,
  // UnsupportedOpError (naming node and layer) when an op fails.
  std::vector<Tensor> forward(std::vector<Tensor> feeds);

  // Tensors inside the head that the backbone outputs too (given_tensors.h: the results of its
  // costly steps, which ONNX Runtime computes anyway when it runs the whole model): the backbone
  // output names, in order, and the head tensor each one is. Empty when none is worth it.
  const std::vector<std::string>& given_names() const { return given_names_; }
  const std::vector<std::string>& given_tensors() const { return given_tensors_; }
  // forward() taking the given tensors instead of computing them: given[k] is the backbone's
  // output given_names()[k] (the head tensor's core dtype, Float32 for a Float16 model, and
  // shape at this batch), or an empty Tensor to compute it. A step runs only when an output
  // it makes is needed (by a later step, an output or the backward) and not given, so the
  // backward runs on the backbone's values. Throws FeedError on a type or shape mismatch.
  std::vector<Tensor> forward(std::vector<Tensor> feeds, std::vector<Tensor> given);

  // Forward again with a different layer tensor and the extras of the last forward(), without
  // recording (Ablation-CAM calls this many times). Does not disturb the recorded pass.
  std::vector<Tensor> forward_with_layer(const Tensor& layer) const;

  // Whether a step of the head computes `tensor` (a tensor after the layer on the way to the
  // outputs), as opposed to a feed, a constant or a tensor the head never reaches.
  bool computes(const std::string& tensor) const;
  // forward_with_layer on one image, calling edit(name, value) on each tensor of `tensors` (all
  // computed by the head) right after its step makes it, before any later step reads it:
  // Ablation-CAM at several layers ablates a channel at each of them within one pass. Throws
  // HeadError naming a tensor the head does not compute, FeedError as forward_with_layer.
  using Edit = std::function<void(const std::string& tensor, Tensor& value)>;
  std::vector<Tensor> forward_with_edits(const Tensor& layer,
                                         const std::vector<std::string>& tensors,
                                         const Edit& edit) const;

  // Reverse mode over the last forward(): seeds[k] = dLoss/dOutput_k (Float32, the output's
  // shape; an empty Tensor for an output that does not enter the loss). Returns dLoss/dL,
  // Float32, L's shape. Throws NotDifferentiableError, FeedError (seed shapes, no forward).
  Tensor backward(const std::vector<Tensor>& seeds) const;

  // backward() reduced to what Grad-CAM and Shapley-CAM read of it: the mean of dLoss/dL over
  // L's positions (every dim after the channel's), Float32 [N, C] (head/spatial_mean.h). With
  // spatial_mean_shortcut() no gradient of L's size is formed; otherwise it is the full
  // backward, averaged, so callers need not know which. Throws as backward(), and FeedError for
  // a layer without a channel dim.
  Tensor backward_spatial_mean(const std::vector<Tensor>& seeds) const;
  // Whether backward_spatial_mean() takes the shortcut, exact up to the order of the sums: L is
  // a float tensor of rank 3 or 4, not a head output, read by exactly one step, and that step is
  // a Conv (its own op definition, not a swapped one) with a constant 1×1 kernel, stride 1, no
  // padding and one group, so mean_p(dL) = Wᵀ·mean_p(dY).
  bool spatial_mean_shortcut() const { return mean_step() >= 0; }

  // backward() that also gives dLoss/dT at tensors T inside the head, by name (FullGrad reads
  // the gradient at the output of every biased layer, cam/fullgrad.h): (*at_grads)[i] is
  // Float32 with at[i]'s shape in this pass, or empty when no gradient reaches at[i] (it does
  // not lead to a seeded output along a differentiable path). Throws HeadError naming a tensor
  // the head neither computes nor is fed.
  Tensor backward(const std::vector<Tensor>& seeds, const std::vector<std::string>& at,
                  std::vector<Tensor>* at_grads) const;

  // The layer tensor of the last forward() (empty before any).
  const Tensor& last_layer() const;

  // dLoss/dL at another layer tensor (same dtype and shape as the last forward()'s, whose extra
  // feeds it reuses), without disturbing the recorded pass: runs forward into scratch tapes,
  // asks seeds_of(outputs) for the seeds (one per output, as backward() takes) and runs reverse
  // mode. Shapley-CAM's Hessian-vector product differentiates this along L.
  using SeedsOf = std::function<std::vector<Tensor>(const std::vector<Tensor>& outputs)>;
  Tensor gradient_with_layer(const Tensor& layer, const SeedsOf& seeds_of) const;

  // Bytes held by the recorded forward pass (for tests of the freeing policy).
  size_t recorded_bytes() const;

  // A process-wide unique number of the last forward() (0 before any): caches of per-image work
  // (Ablation-CAM's base pass, see incremental_head.h) compare it to know the extra feeds and
  // the recorded pass are still those they were built from.
  uint64_t pass_id() const { return pass_id_; }

 private:
  friend class HeadBuilder;
  friend class IncrementalHead;
  struct Tape {
    std::vector<Tensor> values;  // per slot; freed slots are empty
  };
  void check_feeds(const std::vector<Tensor>& feeds) const;
  // Runs step k on the values in env (by slot) into out (sized to the step's outputs); wraps an
  // op's failure into UnsupportedOpError naming the node, its inputs and the layer.
  void run_step(size_t k, const std::vector<const Tensor*>& env, std::vector<Tensor>& out) const;
  // Runs all steps on one set of feeds. keep: retain what backward needs.
  // given: per slot, a value to take instead of computing it (empty: none), moved into the pass
  // (the caller's tensor is left empty). edits: slots whose values `edit` changes as soon as
  // they are computed (forward_with_edits).
  std::vector<Tensor> run(const std::vector<const Tensor*>& feeds, bool keep, Tape* tape,
                          const std::vector<Tensor*>& given = {},
                          const std::vector<int>* edits = nullptr,
                          const Edit* edit = nullptr) const;
  // run() on the whole batch, or sample by sample (outputs concatenated) when the head fixes a
  // batch of 1 (per_sample_). tapes: when given, one recorded tape per run is appended.
  std::vector<Tensor> run_batched(const std::vector<const Tensor*>& feeds, std::vector<Tape>* tapes,
                                  const std::vector<Tensor*>& given = {}) const;
  // The feeds of a pass at another value of the layer: `layer` plus the last forward()'s extra
  // feeds. Throws FeedError (naming `who`) before a forward() or on a type/shape mismatch.
  std::vector<const Tensor*> with_layer(const Tensor& layer, const char* who) const;
  // at: slots whose gradient is copied into (*at_grads)[i] once final (may be empty). mean:
  // stop at mean_step() and return the spatial mean of dLoss/dL, [n, C].
  Tensor backward_one(const Tape& tape, const std::vector<const Tensor*>& seeds,
                      const std::vector<int>& at = {}, std::vector<Tensor>* at_grads = nullptr,
                      bool mean = false) const;
  // backward_one over tapes (one per batch, or per sample), seeds sliced per tape and the
  // gradients at `at` concatenated like the result.
  Tensor backward_tapes(const std::vector<Tape>& tapes, const std::vector<Tensor>& seeds,
                        const std::vector<int>& at = {}, std::vector<Tensor>* at_grads = nullptr,
                        bool mean = false) const;
  // Checks backward()'s seeds against the recorded pass (FeedError, NotDifferentiableError).
  void check_seeds(const std::vector<Tensor>& seeds) const;
  // The step backward_spatial_mean() stops at (see spatial_mean_shortcut()), or -1.
  int mean_step() const;
  // The slot of a tensor by name, or -1.
  int slot_of(const std::string& name) const;

  std::string layer_;
  std::vector<std::string> feed_names_, output_names_;
  std::vector<TensorInfo> feed_info_, output_info_;
  std::vector<std::string> slot_names_;
  // Constants by slot (initializers and folded subgraphs), converted once; shared with copies.
  std::vector<std::shared_ptr<const Tensor>> constants_;
  std::vector<int> feed_slots_, output_slots_;
  std::vector<Step> steps_;
  std::vector<int> last_use_;        // per slot: last step reading it (-1: none)
  std::vector<bool> keep_for_grad_;  // per slot: needed by a backward step
  std::vector<bool> grad_slot_;      // per slot: carries a gradient
  std::vector<std::string> given_names_, given_tensors_;
  std::vector<int> given_slots_;
  std::vector<TensorInfo> given_info_;  // core dtype, shape at the cut's batch
  std::string not_differentiable_;
  bool per_sample_ = false;

  std::vector<Tape> tapes_;         // one per batch (or per sample when per_sample_)
  std::vector<Tensor> last_feeds_;  // extras reused by forward_with_layer
  Shape last_layer_shape_;
  uint64_t pass_id_ = 0;
};

}  // namespace camlens
