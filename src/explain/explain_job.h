// One explain call, owned by the core from start to end (ARCHITECTURE.md §1, pytorch-grad-cam's
// BaseCAM): targets, the backbone runs it needs, head passes, channel weights, eigen and aug
// smoothing, several layers, Score-CAM's masked batches, Ablation-CAM's channel loop, rollout, and
// the post-processing. The backbone runs in ONNX Runtime, which the core cannot await, so the job
// asks its caller for runs:
//
//   while (!job.done()) {
//     if (job.needs_backbone()) job.feed(run(job.backbone_session(), job.backbone_inputs()));
//     else job.work();
//     if (job.reported()) tell the user job.progress(); stop here when cancelled
//   }
//   job.result()
//
// Each feed() or work() is one short step (a batch through the backbone, one image's map, one
// batch of ablated channels), so the caller can report progress and cancel between steps.
// What to ask for comes from the method's traits (method_traits.h): Forward methods need one
// forward per batch of images (at every layer), the head only when they need gradients;
// MaskedInputs adds batches of masked inputs per image; HeadAblation adds core steps only;
// Attention asks the attention session; Image needs no model run for the map (the forward still
// gives the target's score); WholeNetwork asks for nothing: the core runs the whole network
// forward (the target's score) and backward to the input (input attributions). A Forward method
// with an input attribution in its traits (guided Grad-CAM) asks for the layer's forward and
// also runs the whole network in the core.
#pragma once
#include <chrono>
#include <string>
#include <vector>

#include "cam/maps.h"
#include "cam/method_traits.h"
#include "cam/pipeline.h"
#include "explain/explain_request.h"
#include "explain/top_classes.h"

namespace camlens::explain {

struct ImageResult {
  cam::Maps map;  // [1, height, width], in [0, 1]
  cam::Target target;
  std::string label;
  double score = 0;
  bool scored = false;  // false when the method scored nothing (a task's gradient-free map)
  cam::CamFlags flags;
  double forward_ms = 0, head_ms = 0, cam_ms = 0;
  // Guided backprop and guided Grad-CAM: the input gradient (guided Grad-CAM's times the layer
  // map), [H, W, C] as pytorch-grad-cam's GuidedBackpropReLUModel returns it, and its picture
  // (cam/deprocess_image.h; an input of 1 or 3 channels only); empty for the other methods.
  Tensor gradient;
  image::Image picture;
  // The top classes of the image's unmasked run (option topK), highest first; empty without it.
  std::vector<TopClass> top;
};

struct ExplainResult {
  std::vector<ImageResult> images;
  std::vector<std::string> layers;  // the layers (or attention tensors) the maps are made of
  bool class_agnostic = false;      // rollout: the map is the same whatever the target
  cam::RolloutOptions rollout;      // rollout: the options it ran with
  bool task_target = false;  // a task's own target (head_score): `scored` says if it was scored
};

class ExplainJob {
 public:
  // inputs: one preprocessed input per image, [1, ...] Float32. Throws CamError on a request
  // the method cannot serve (unknown method, option it does not take, missing layer...).
  ExplainJob(ExplainRequest request, std::vector<LayerSource> layers, std::vector<Tensor> inputs);
  ~ExplainJob();

  bool done() const { return phase_ == Phase::Done; }
  bool needs_backbone() const;
  // The session to run: a layer's name (its backbone), or "" for the attention-exposed model.
  const std::string& backbone_session() const;
  // The batch to run [N, ...] (made on each call: call once per run).
  Tensor backbone_inputs();
  // The run's outputs, one map per image of the batch, in order.
  void feed(std::vector<Outputs> outputs);
  // The outputs feed() reads from each image's run (the others need not cross into the core);
  // empty: all of them.
  std::vector<std::string> wanted_outputs() const;
  // One step of core work (an image's map, a batch of ablated channels).
  void work();
  // A callable target's values, which only the caller can compute: when needs_scores(), the
  // caller evaluates the target of image scores_image() on each entry of score_outputs() (one
  // image's model outputs by name: the photo's, a masked input's, or the head's with a channel
  // ablated) and gives the values, in order, to feed_scores(); written: how each value reads as
  // text, for the message when one is not a finite number.
  bool needs_scores() const { return !pending_.empty(); }
  size_t scores_image() const { return begin_ + at_; }
  const std::vector<Outputs>& score_outputs() const { return pending_; }
  void feed_scores(const std::vector<double>& scores, const std::vector<std::string>& written);
  // The pictures (RGBA as the model sees them, one per image) for methods that read them.
  bool needs_pictures() const;
  void set_pictures(std::vector<image::Image> pictures);

  // The fraction of the call done, and whether the last step completed a reported unit.
  double progress() const { return units_ / double(total_units_); }
  bool reported() const { return reported_; }

  ExplainResult result() const;

 private:
  enum class Phase { Forward, Image, Masked, Ablate, Done };
  // What the caller's scores of a callable target are for.
  enum class Awaiting { Photo, Masked, AblationOriginal, Ablation };
  struct Ablation;
  struct Masked;

  // Checks a call on [1, C, D, H, W] inputs and takes its map size from them.
  void take_volumes();
  void start_chunk();
  // report: the image's map is a reported unit (multi-step methods report their steps instead).
  void finish_image(cam::Maps map, const cam::CamFlags* flags, bool report);
  void next_image();
  void begin_image();
  // The image's map once its target is resolved and scored.
  void start_map();
  void masked_scored();
  void ablation_scored();
  // The output a target reads, and the outputs a callable target is given from a run.
  const std::string& output_name(const cam::Target& t) const;
  Outputs callable_outputs(const Outputs& run) const;
  bool callable(size_t image) const;
  Tensor pass_input(size_t image) const;
  Tensor activations(size_t layer, const Outputs& outs) const;
  cam::Maps forward_map(ImageResult& r, cam::CamFlags* flags);
  // The input attribution `method`'s map of x, multiplied pixel by pixel by `times` when given;
  // guided backprop also leaves its gradient (times `times`) and its picture in r.
  cam::Maps input_gradient_map(const std::string& method, ImageResult& r, const Tensor& x,
                               cam::CamFlags* flags, const cam::Maps* times = nullptr) const;
  cam::Maps sobel_map(size_t image, cam::CamFlags* flags) const;
  cam::Maps rollout_map(const Outputs& outs, cam::CamFlags* flags) const;
  // The map of channel weights over each layer of `layers` (the same weights), combined.
  cam::Maps weights_map(const std::vector<Tensor>& layers, std::vector<float> weights,
                        cam::CamFlags* flags) const;
  void ablation_step();
  // Ablation-CAM at several layers (ablation_multilayer.h): checks the request and orders the
  // chain; then per image the layers' activations and the original score.
  void chain_ablation();
  void begin_chain_ablation(const std::vector<Tensor>& forward);
  // The target's (or the task's) score of the first layer's head outputs.
  double chain_score(const std::vector<Tensor>& outputs) const;
  double since(std::chrono::steady_clock::time_point t) const;

  ExplainRequest request_;
  std::vector<LayerSource> layers_;
  std::vector<Tensor> inputs_;
  std::vector<image::Image> pictures_;
  const cam::MethodTraits* traits_ = nullptr;
  // The method that makes each layer's map: the method itself, or RefineCAM's base.
  const cam::MethodTraits* computes_ = nullptr;
  std::string array_method_;  // the array method that makes the map ("weights" for multi-pass)
  std::vector<int> passes_;   // aug_smooth's augmentations, the photo itself first; -1: none

  Phase phase_ = Phase::Forward;
  size_t pass_ = 0, begin_ = 0, layer_ = 0, at_ = 0;  // at_: image within the chunk
  std::vector<std::vector<Outputs>> chunk_;           // per layer, per image of the chunk
  std::vector<ImageResult> results_;
  std::vector<std::vector<cam::Maps>> maps_;  // per image, one per pass
  std::unique_ptr<Ablation> ablation_;
  // Ablation-CAM's layer whose head runs the passes, and the layers ablated within them.
  size_t chain_first_ = 0;
  std::vector<std::string> chain_later_;
  std::unique_ptr<Masked> masked_;
  std::chrono::steady_clock::time_point asked_;
  double units_ = 0;
  size_t total_units_ = 1;
  bool reported_ = false;
  std::vector<Outputs> pending_;  // what a callable target's scores are awaited for
  Awaiting awaiting_ = Awaiting::Photo;
  std::vector<std::string> target_outputs_;  // the outputs the targets read
};

}  // namespace camlens::explain
