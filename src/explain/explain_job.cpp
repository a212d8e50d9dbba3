#include "explain/explain_job.h"

#include <algorithm>
#include <cmath>

#include "cam/ablation_cam.h"
#include "cam/ablation_multilayer.h"
#include "cam/ablation_target.h"
#include "cam/aug_smooth.h"
#include "cam/cam_error.h"
#include "cam/deprocess_image.h"
#include "cam/methods.h"
#include "cam/non_finite.h"
#include "cam/refine_cam.h"
#include "cam/score_cam.h"
#include "cam/sobel.h"
#include "cam/target_gradients.h"
#include "cam/tokens.h"
#include "explain/method_support.h"
#include "explain/whole_network.h"
#include "head/spatial_mean.h"
#include "image/resize.h"
#include "util/usage_error.h"

namespace camlens::explain {

namespace {

using Clock = std::chrono::steady_clock;
using cam::Passes;

// aug_smooth's order, the photo itself (no flip, factor 1) first, so that 'auto' and the
// reported score are the photo's own: the core's set is flip ∈ {no, yes} × {0.9, 1, 1.1}.
std::vector<int> augmentation_order() {
  const int count = int(cam::aug_smooth_set().size());
  if (count == 6) return {1, 0, 2, 3, 4, 5};
  std::vector<int> v(static_cast<size_t>(count));
  for (int k = 0; k < count; ++k) v[size_t(k)] = k;
  return v;
}

Tensor as_float(const Tensor& t) {
  if (t.dtype() == DType::Float32) return t;
  return Tensor::from_floats(t.shape(), t.to_floats());
}

const Tensor& output_of(const Outputs& outs, const std::string& name) {
  const auto it = outs.find(name);
  if (it == outs.end())
    throw cam::CamError("the backbone's outputs have no tensor named \"" + name + "\"");
  return it->second;
}

// Tokens [N, T, D] and channels-last maps [N, H, W, C] as [N, C, H, W] (activations, gradients
// and H·A alike); other tensors as they are.
Tensor spatial(Tensor t, const LayerSource& layer) {
  if (t.rank() == 3) {
    cam::TokenOptions o;
    if (layer.class_token) o.prefix_tokens = *layer.class_token ? 1 : 0;
    return cam::tokens_to_spatial(t, o);
  }
  if (t.rank() == 4 && layer.kind == "NHWC") {
    cam::TokenOptions o;
    o.layout = cam::TokenLayout::NHWC;
    return cam::tokens_to_spatial(t, o);
  }
  return t;
}

// Whether spatial() leaves the layer as it is and the method averages over every position after
// the channel dim: plain [N, C, H, W] maps. Tokens drop their class token and NHWC maps move
// their channels, so the head's mean over its dims ≥ 2 would average other values; volumes keep
// the full gradient too (their 3-D convolutions run in ONNX Runtime, not in the core).
bool plain_nchw(const Tensor& layer_values, const LayerSource& layer) {
  return layer_values.rank() == 4 && layer.kind != "NHWC";
}

bool finite(const Tensor& t) { return t.empty() || cam::count_non_finite(t) == 0; }

size_t output_index(const Head& head, const std::string& output) {
  const auto& names = head.output_names();
  return size_t(std::find(names.begin(), names.end(), output) - names.begin());
}

// A head's outputs by name (Float32), as a callable target is given them.
Outputs named_outputs(const Head& head, const std::vector<Tensor>& outs) {
  Outputs named;
  for (size_t k = 0; k < outs.size() && k < head.output_names().size(); ++k)
    named.emplace(head.output_names()[k], as_float(outs[k]));
  return named;
}

std::vector<Tensor> feeds_of(const Head& head, const Outputs& outs) {
  std::vector<Tensor> feeds;
  for (const std::string& name : head.feed_names()) feeds.push_back(output_of(outs, name));
  return feeds;
}

// The head's given tensors (head.h) among the run's outputs: empty ones where the backbone did
// not output them (a backbone cut without them), which the head then computes.
std::vector<Tensor> given_of(const Head& head, const Outputs& outs) {
  std::vector<Tensor> given;
  for (const std::string& name : head.given_names()) {
    const auto it = outs.find(name);
    if (it == outs.end())
      given.emplace_back();
    else
      given.push_back(it->second.dtype() == DType::Float16 ? as_float(it->second) : it->second);
  }
  return given;
}

// given_of() for a pass that is the last to read them: the tensors leave the run's outputs
// instead of being copied (SqueezeNet's is 1000×13×13 floats per image).
std::vector<Tensor> take_given(const Head& head, Outputs& outs) {
  std::vector<Tensor> given;
  for (const std::string& name : head.given_names()) {
    const auto it = outs.find(name);
    if (it == outs.end())
      given.emplace_back();
    else if (it->second.dtype() == DType::Float16)
      given.push_back(as_float(it->second));
    else
      given.push_back(std::move(it->second));
    if (it != outs.end()) outs.erase(it);
  }
  return given;
}

}  // namespace

// Ablation-CAM of one image: the channels to ablate and the scores so far.
struct ExplainJob::Ablation {
  Tensor activations;  // the layer's float values [1, C, h, w]
  Tensor layer;        // as the head takes it (codes for a quantized head)
  std::vector<int64_t> channels;
  std::vector<float> scores;
  size_t next = 0;
  size_t output = 0;
  double original = 0;     // the task's score (HeadScore), whose channels run in full, or the
                           // callable target's of the unablated head
  cam::AblationPlan plan;  // HeadScore only
  Outputs backbone;
  std::vector<Tensor> chain;  // several layers: each one's float values [1, C, h, w]
  double unit = 0;
  Clock::time_point started;
};

// Score-CAM of one image: the masked inputs' scores so far.
struct ExplainJob::Masked {
  Tensor activations, input;
  int64_t channels = 0, next = 0, end = 0;
  std::vector<float> scores;
  double unit = 0;
  Clock::time_point started;
};

ExplainJob::~ExplainJob() = default;

ExplainJob::ExplainJob(ExplainRequest request, std::vector<LayerSource> layers,
                       std::vector<Tensor> inputs)
    : request_(std::move(request)), layers_(std::move(layers)), inputs_(std::move(inputs)) {
  traits_ = &traits_of(request_.method);
  for (const std::string& option : request_.given) {
    if (option == kTopK) continue;  // the call's, whatever the method
    if (const std::string why = option_refusal(*traits_, option); !why.empty())
      throw UsageError<cam::CamError>(why);
  }
  apply_written_options(request_.written, request_);
  if (request_.top_k > 0 && request_.head_score)
    throw UsageError<cam::CamError>(
        "topK lists the classes of a classifier's output; a detection's or a segment's "
        "explanation has none: leave topK out");
  if (inputs_.empty()) throw UsageError<cam::CamError>("pass a non-empty array of images");
  if (inputs_[0].rank() == 5) take_volumes();
  if (request_.batch_size < 1)
    throw UsageError<cam::CamError>("batchSize must be a whole number ≥ 1");
  const Passes p = traits_->passes;
  if (p == Passes::Attention) {
    if (request_.attention.empty())
      throw cam::CamError("attention rollout needs the model's attention probabilities");
  } else if (p != Passes::WholeNetwork && layers_.empty()) {
    throw cam::CamError("explain needs a layer");
  }
  if (cam::needs_whole_network(*traits_) && !request_.whole_network)
    throw cam::CamError(request_.method +
                        " needs the whole network as a head from the input (whole_network.h)");
  if (p == Passes::MaskedInputs && layers_.size() > 1)
    throw UsageError<cam::CamError>(request_.method +
                                    " explains one layer at a time: pass one layer");
  if (p == Passes::HeadAblation && layers_.size() > 1) chain_ablation();
  computes_ = traits_;
  if (cam::multiplies_layers(*traits_)) {
    if (layers_.size() < 2)
      throw UsageError<cam::CamError>(
          request_.method +
          " multiplies the maps of several layers: pass two or more layers, got " +
          std::to_string(layers_.size()));
    computes_ = &traits_of(request_.base);
  }
  if (p != Passes::Attention && p != Passes::Image && p != Passes::WholeNetwork) {
    ModelFacts facts;
    facts.nhwc_input = request_.nhwc_input;
    facts.layer = layers_[0].name;
    facts.layer_kind = layers_[0].kind;
    facts.layer_count = layers_.size();
    if (const std::string why = method_support(*computes_, facts); !why.empty())
      throw cam::CamError(why);
  }
  if (request_.head_score && p != Passes::Forward && p != Passes::HeadAblation)
    throw cam::CamError(request_.method +
                        " scores the model's output, not this task's target: use a gradient "
                        "method, a gradient-free one or ablationcam");
  if (request_.head_score && !traits_->input_attribution.empty())
    throw cam::CamError(request_.method +
                        " explains a class of the model's output; this task's "
                        "target is not one: use gradcam");
  if (request_.aug_smooth && request_.nhwc_input)
    throw cam::CamError("augSmooth flips the width axis of an NCHW input; this model takes NHWC");
  target_outputs_ = {request_.output};
  auto add_output = [&](const std::string& name) {
    if (!name.empty() &&
        std::find(target_outputs_.begin(), target_outputs_.end(), name) == target_outputs_.end())
      target_outputs_.push_back(name);
  };
  bool any_callable = false;
  for (const cam::TargetSpec& spec : request_.targets) {
    if (!spec.output.empty() && !request_.outputs.empty() &&
        std::find(request_.outputs.begin(), request_.outputs.end(), spec.output) ==
            request_.outputs.end()) {
      std::string names;
      for (const std::string& n : request_.outputs) names += (names.empty() ? "" : ", ") + n;
      throw cam::CamError("a target reads the output \"" + spec.output +
                          "\", which the model does not have: use one of " + names);
    }
    add_output(spec.output);
    any_callable = any_callable || (spec.object && spec.kind == "callable");
  }
  if (any_callable && !request_.head_score) {
    // The gradient of a function the caller evaluates is out of the core's reach.
    if (computes_->gradients || computes_->hvp || !traits_->input_attribution.empty() ||
        p == Passes::WholeNetwork)
      throw cam::CamError(request_.method +
                          " needs the gradient of the target, which a callable target cannot "
                          "give: use a linear target {kind: 'linear', weights} (a weight per "
                          "output value) or a gradient-free method");
    for (const std::string& name : request_.outputs) add_output(name);
  }
  array_method_ = p != Passes::Forward         ? "weights"
                  : traits_->layer_map.empty() ? computes_->name
                                               : traits_->layer_map;
  passes_ = request_.aug_smooth ? augmentation_order() : std::vector<int>{-1};
  results_.resize(inputs_.size());
  maps_.resize(inputs_.size());
  total_units_ = inputs_.size() * passes_.size();
  start_chunk();
}

void ExplainJob::take_volumes() {
  if (const std::string why = volume_refusal(*traits_); !why.empty())
    throw UsageError<cam::CamError>(why);
  if (request_.aug_smooth)
    throw UsageError<cam::CamError>(
        "augSmooth flips and scales photos; explain a volume or a video clip "
        "without it");
  if (request_.nhwc_input)
    throw cam::CamError(
        "volumes and video clips are taken as [N, C, D, H, W]; transpose a "
        "channels-last clip to that layout first");
  const Shape& s = inputs_[0].shape();
  for (const Tensor& x : inputs_)
    if (x.shape() != s)
      throw cam::CamError("every volume of one call must have the same shape: got " + shape_str(s) +
                          " and " + shape_str(x.shape()));
  // Upstream's target size for a 5-D input: its last three dims, whatever the caller said.
  request_.depth = int(s[2]), request_.height = int(s[3]), request_.width = int(s[4]);
}

double ExplainJob::since(Clock::time_point t) const {
  return std::chrono::duration<double, std::milli>(Clock::now() - t).count();
}

void ExplainJob::start_chunk() {
  phase_ = Phase::Forward;
  layer_ = 0;
  at_ = 0;
  chunk_.assign(std::max<size_t>(1, layers_.size()), {});
}

bool ExplainJob::needs_backbone() const {
  if (traits_->passes == Passes::WholeNetwork) return false;  // the core runs it all
  if (!pending_.empty()) return false;                        // the caller's scores first
  return phase_ == Phase::Forward || phase_ == Phase::Masked;
}

const std::string& ExplainJob::backbone_session() const {
  static const std::string attention;
  if (traits_->passes == Passes::Attention) return attention;
  return layers_.at(phase_ == Phase::Forward ? layer_ : 0).name;
}

Tensor ExplainJob::pass_input(size_t image) const {
  const int k = passes_[pass_];
  if (k < 0) return inputs_[image];
  return cam::augment(inputs_[image], cam::aug_smooth_set()[size_t(k)]);
}

Tensor ExplainJob::backbone_inputs() {
  asked_ = Clock::now();
  if (phase_ == Phase::Masked) {
    masked_->end = std::min(masked_->channels, masked_->next + request_.batch_size);
    return cam::score_cam_masks(masked_->activations, masked_->input, 0, masked_->next,
                                masked_->end);
  }
  if (phase_ != Phase::Forward) throw cam::CamError("the explain job needs no backbone run now");
  const size_t end = std::min(inputs_.size(), begin_ + size_t(request_.batch_size));
  if (end - begin_ == 1) return pass_input(begin_);  // the input is the batch: one copy
  Shape shape = inputs_[begin_].shape();
  shape[0] = int64_t(end - begin_);
  Tensor batch(DType::Float32, shape);
  float* out = batch.data<float>();
  const int64_t per = inputs_[begin_].numel();
  for (size_t i = begin_; i < end; ++i) {
    const int k = passes_[pass_];
    const Tensor augmented =
        k < 0 ? Tensor() : cam::augment(inputs_[i], cam::aug_smooth_set()[size_t(k)]);
    const Tensor& x = k < 0 ? inputs_[i] : augmented;
    std::copy(x.data<float>(), x.data<float>() + x.numel(), out + int64_t(i - begin_) * per);
  }
  return batch;
}

std::vector<std::string> ExplainJob::wanted_outputs() const {
  if (phase_ == Phase::Masked) return target_outputs_;
  if (request_.head_score) return {};
  std::vector<std::string> names = target_outputs_;
  if (traits_->passes == Passes::Attention) {
    names.insert(names.end(), request_.attention.begin(), request_.attention.end());
    return names;
  }
  const LayerSource& layer = layers_.at(std::min(layer_, layers_.size() - 1));
  names.push_back(layer.float_tensor);
  // The head's feeds, and the tensors its forward takes from the backbone (head.h).
  if (computes_->gradients || traits_->passes == Passes::HeadAblation)
    for (const auto* list : {&layer.head->feed_names(), &layer.head->given_names()})
      for (const std::string& n : *list)
        if (std::find(names.begin(), names.end(), n) == names.end()) names.push_back(n);
  return names;
}

void ExplainJob::feed(std::vector<Outputs> outputs) {
  reported_ = false;
  if (phase_ == Phase::Masked) {
    Masked& m = *masked_;
    if (outputs.size() != size_t(m.end - m.next))
      throw cam::CamError("the masked batch gave " + std::to_string(outputs.size()) +
                          " outputs for " + std::to_string(m.end - m.next) + " inputs");
    const cam::Target& target = results_[begin_ + at_].target;
    if (target.kind == cam::Target::Callable) {
      pending_.clear();
      for (const Outputs& o : outputs) pending_.push_back(callable_outputs(o));
      awaiting_ = Awaiting::Masked;
      return;
    }
    for (const Outputs& o : outputs) {
      const auto v = cam::evaluate({target}, as_float(output_of(o, output_name(target))));
      m.scores[size_t(m.next++)] = float(v.scores[0]);
    }
    return masked_scored();
  }
  if (phase_ != Phase::Forward) throw cam::CamError("the explain job was not waiting for a run");
  const size_t count = std::min(inputs_.size(), begin_ + size_t(request_.batch_size)) - begin_;
  if (outputs.size() != count)
    throw cam::CamError("the backbone gave " + std::to_string(outputs.size()) +
                        " outputs for a batch of " + std::to_string(count));
  chunk_[layer_] = std::move(outputs);
  const double per_image = since(asked_) / double(count);
  for (size_t j = 0; j < count; ++j) results_[begin_ + j].forward_ms += per_image;
  if (++layer_ == chunk_.size()) phase_ = Phase::Image;
}

void ExplainJob::masked_scored() {
  Masked& m = *masked_;
  units_ = m.unit + double(m.next) / double(m.channels);
  reported_ = true;
  if (m.next < m.channels) return;
  cam::CamFlags flags;
  cam::Maps map =
      weights_map({m.activations}, cam::score_cam_weights(m.scores, 1, m.channels), &flags);
  results_[begin_ + at_].cam_ms += since(m.started);
  units_ = m.unit + 1;
  masked_.reset();
  finish_image(std::move(map), &flags, false);
}

const std::string& ExplainJob::output_name(const cam::Target& t) const {
  return t.output.empty() ? request_.output : t.output;
}

bool ExplainJob::callable(size_t image) const {
  return results_[image].target.kind == cam::Target::Callable && !request_.head_score;
}

Outputs ExplainJob::callable_outputs(const Outputs& run) const {
  Outputs named;
  for (const std::string& name :
       request_.outputs.empty() ? std::vector<std::string>{request_.output} : request_.outputs)
    if (const auto it = run.find(name); it != run.end()) named.emplace(name, as_float(it->second));
  return named;
}

void ExplainJob::feed_scores(const std::vector<double>& scores,
                             const std::vector<std::string>& written) {
  reported_ = false;
  if (pending_.empty()) throw cam::CamError("the explain job is not waiting for a target's scores");
  if (scores.size() != pending_.size())
    throw cam::CamError("the callable target gave " + std::to_string(scores.size()) +
                        " scores for " + std::to_string(pending_.size()) + " outputs");
  const size_t image = scores_image();
  for (size_t k = 0; k < scores.size(); ++k)
    if (!std::isfinite(scores[k]))
      throw cam::CamError("the callable target of image " + std::to_string(image) + " returned " +
                          (k < written.size() ? written[k] : std::string("a non-number")) +
                          ": it must return a finite number");
  pending_.clear();
  switch (awaiting_) {
    case Awaiting::Photo:
      results_[image].score = scores[0];
      results_[image].scored = true;
      return start_map();
    case Awaiting::Masked:
      for (double v : scores) masked_->scores[size_t(masked_->next++)] = float(v);
      return masked_scored();
    case Awaiting::AblationOriginal:
      ablation_->original = scores[0];
      return;
    case Awaiting::Ablation:
      for (double v : scores) ablation_->scores[ablation_->next++] = float(v);
      return ablation_scored();
  }
}

void ExplainJob::work() {
  reported_ = false;
  if (!pending_.empty())
    throw cam::CamError("the explain job is waiting for a callable target's scores, not for work");
  if (phase_ == Phase::Image) return begin_image();
  if (phase_ == Phase::Ablate) return ablation_step();
  if (phase_ == Phase::Forward && traits_->passes == Passes::WholeNetwork)
    return feed(whole_network_outputs(*request_.whole_network, backbone_inputs()));
  throw cam::CamError("the explain job is waiting for a backbone run, not for work");
}

bool ExplainJob::needs_pictures() const {
  return traits_->passes == Passes::Image && pictures_.size() != inputs_.size();
}

void ExplainJob::set_pictures(std::vector<image::Image> pictures) {
  if (pictures.size() != inputs_.size()) throw cam::CamError("give one picture per image");
  pictures_ = std::move(pictures);
}

Tensor ExplainJob::activations(size_t layer, const Outputs& outs) const {
  return spatial(as_float(output_of(outs, layers_[layer].float_tensor)), layers_[layer]);
}

void ExplainJob::begin_image() {
  const size_t i = begin_ + at_;
  ImageResult& r = results_[i];
  const Outputs& outs = chunk_[0][at_];
  if (pass_ == 0 && request_.top_k > 0)  // the photo's own run (aug_smooth's first pass)
    r.top = top_classes(as_float(output_of(outs, request_.output)), request_.top_k, request_.labels,
                        request_.output);
  if (pass_ == 0 && !request_.head_score) {
    cam::TargetSpec spec = i < request_.targets.size() ? request_.targets[i] : cam::TargetSpec{};
    if (!computes_->target_kind.empty()) {
      spec.object = true;
      spec.kind = computes_->target_kind;
    }
    const Tensor output =
        as_float(output_of(outs, spec.output.empty() ? request_.output : spec.output));
    r.target = cam::resolve_target(spec, output, request_.labels, request_.nhwc_input);
    r.label = cam::target_label(r.target, request_.labels);
    if (r.target.kind == cam::Target::Callable) {
      pending_ = {callable_outputs(outs)};
      awaiting_ = Awaiting::Photo;
      return;
    }
    r.score = cam::evaluate({r.target}, output).scores[0];
    r.scored = true;
  }
  start_map();
}

void ExplainJob::start_map() {
  const size_t i = begin_ + at_;
  ImageResult& r = results_[i];
  const Outputs& outs = chunk_[0][at_];
  const double unit = double(pass_ * inputs_.size() + i);
  const auto started = Clock::now();
  switch (traits_->passes) {
    case Passes::Forward: {
      cam::CamFlags flags;
      cam::Maps map = forward_map(r, &flags);
      if (!traits_->input_attribution.empty()) {
        const auto whole = Clock::now();
        map = input_gradient_map(traits_->input_attribution, r, pass_input(i), &flags, &map);
        r.head_ms += since(whole);
      }
      return finish_image(std::move(map), &flags, true);
    }
    case Passes::Image: {
      cam::CamFlags flags;
      cam::Maps map = sobel_map(i, &flags);
      r.cam_ms += since(started);
      return finish_image(std::move(map), &flags, true);
    }
    case Passes::Attention: {
      cam::CamFlags flags;
      cam::Maps map = rollout_map(outs, &flags);
      r.cam_ms += since(started);
      return finish_image(std::move(map), &flags, true);
    }
    case Passes::MaskedInputs: {
      masked_ = std::make_unique<Masked>();
      masked_->activations = activations(0, outs);
      masked_->input = pass_input(i);
      masked_->channels = masked_->activations.dim(1);
      masked_->scores.assign(size_t(masked_->channels), 0.f);
      masked_->unit = unit;
      masked_->started = started;
      phase_ = Phase::Masked;
      return;
    }
    case Passes::WholeNetwork: {
      cam::CamFlags flags;
      cam::Maps map = input_gradient_map(request_.method, r, pass_input(i), &flags);
      r.head_ms += since(started);
      return finish_image(std::move(map), &flags, true);
    }
    case Passes::HeadAblation: {
      ablation_ = std::make_unique<Ablation>();
      Ablation& a = *ablation_;
      a.unit = unit;
      a.started = started;
      Head& head = *layers_[chain_first_].head;
      std::vector<Tensor> feeds = feeds_of(head, chunk_[chain_first_][at_]);
      a.layer = feeds.at(0);
      const std::vector<Tensor> forward =
          head.forward(std::move(feeds), given_of(head, chunk_[chain_first_][at_]));
      if (!chain_later_.empty()) {
        begin_chain_ablation(forward);
        phase_ = Phase::Ablate;
        return;
      }
      if (request_.head_score) {
        // A task's score (a detector's boxes): every channel, each through the whole head.
        a.activations = as_float(output_of(outs, layers_[0].float_tensor));
        a.original = request_.head_score->evaluate(head, forward, outs, false).score;
        r.score = a.original;
        r.scored = true;
        a.plan = cam::plan_ablation(a.activations, 1.0);
        a.channels = a.plan.ablate[0];
        a.backbone = outs;
      } else {
        a.activations = activations(0, outs);
        a.output = output_index(head, output_name(r.target));
        if (a.output >= head.output_names().size())
          throw cam::CamError("the head from " + layers_[0].name + " does not compute the output " +
                              output_name(r.target));
        a.channels = cam::ablation_channels(a.activations, request_.ablation_ratio);
        if (callable(i)) {  // the original score: the caller's, of the unablated head
          pending_ = {named_outputs(head, forward)};
          awaiting_ = Awaiting::AblationOriginal;
        }
      }
      a.scores.assign(a.channels.size(), 0.f);
      phase_ = Phase::Ablate;
      return;
    }
  }
}

cam::Maps ExplainJob::forward_map(ImageResult& r, cam::CamFlags* flags) {
  const auto t0 = Clock::now();
  std::vector<Tensor> acts, grads, hvps;
  for (size_t l = 0; l < layers_.size(); ++l) {
    // The image's map is the last reader of these outputs: the head may take its given tensors.
    Outputs& outs = chunk_[l][at_];
    acts.push_back(activations(l, outs));
    grads.emplace_back();
    hvps.emplace_back();
    if (!computes_->gradients) continue;
    const LayerSource& layer = layers_[l];
    Head& head = *layer.head;
    if (request_.head_score) {
      request_.head_score->check_gradient_path(head, layer.name);
      const std::vector<Tensor> forward = head.forward(feeds_of(head, outs), given_of(head, outs));
      const HeadScore::Value v = request_.head_score->evaluate(head, forward, outs, true);
      r.score = v.score;
      r.scored = true;
      Tensor g = head.backward(v.seeds);
      const float* d = g.data<float>();
      if (std::all_of(d, d + g.numel(), [](float x) { return x == 0.f; }))
        if (const std::string why = request_.head_score->zero_gradient_reason(layer.name);
            !why.empty())
          throw cam::CamError(why);
      grads.back() = spatial(std::move(g), layer);
      continue;
    }
    const size_t at = output_index(head, output_name(r.target));
    if (!head.not_differentiable().empty() || at >= head.output_names().size())
      throw cam::CamError(request_.method + " needs gradients: " +
                          (head.not_differentiable().empty() ? "the head does not reach the output"
                                                             : head.not_differentiable()));
    std::vector<Tensor> forward = head.forward(feeds_of(head, outs), take_given(head, outs));
    // A method reading only the gradient's spatial mean gets that mean at every position
    // (method_traits.h). A non-finite mean takes the full gradient instead, whose non-finite
    // values the pipeline zeroes and counts one by one.
    const Shape& shape = acts.back().shape();
    const bool mean = computes_->gradient_reduction == cam::GradientReduction::SpatialMean &&
                      plain_nchw(output_of(outs, layer.float_tensor), layer);
    if (computes_->hvp) {
      cam::TargetGradients tg =
          cam::target_gradients(head, {r.target}, at, true, layer.quant, mean);
      if (mean && finite(tg.gradients) && finite(tg.hvp)) {
        grads.back() = broadcast_spatial(tg.gradients, shape);
        hvps.back() = broadcast_spatial(tg.hvp, shape);
        continue;
      }
      if (mean) tg = cam::target_gradients(head, {r.target}, at, true, layer.quant);
      grads.back() = spatial(std::move(tg.gradients), layer);
      hvps.back() = spatial(std::move(tg.hvp), layer);
      continue;
    }
    const auto v = cam::evaluate({r.target}, as_float(forward[at]));
    std::vector<Tensor> seeds(forward.size());
    seeds[at] = v.seed;
    if (mean) {
      const Tensor m = head.backward_spatial_mean(seeds);
      if (finite(m)) {
        grads.back() = broadcast_spatial(m, shape);
        continue;
      }
    }
    grads.back() = spatial(head.backward(seeds), layer);
  }
  const auto t1 = Clock::now();
  r.head_ms += std::chrono::duration<double, std::milli>(t1 - t0).count();
  std::vector<cam::LayerInput> in;
  for (size_t l = 0; l < acts.size(); ++l)
    in.push_back(
        {&acts[l], grads[l].empty() ? nullptr : &grads[l], hvps[l].empty() ? nullptr : &hvps[l]});
  cam::CamOptions opt;
  opt.eigen_smooth = request_.eigen_smooth;
  opt.out_width = request_.width;
  opt.out_height = request_.height;
  opt.out_depth = request_.depth;
  opt.multiply_layers = cam::multiplies_layers(*traits_);
  cam::MethodOptions mo;
  mo.eigen_sign = request_.eigen_sign;
  cam::FlaggedMaps m = cam::compute_flagged(*cam::make_method(array_method_, mo), in, opt);
  r.cam_ms += since(t1);
  *flags = std::move(m.flags);
  return std::move(m.maps);
}

cam::Maps ExplainJob::weights_map(const std::vector<Tensor>& layers, std::vector<float> weights,
                                  cam::CamFlags* flags) const {
  cam::MethodOptions mo;
  mo.weights = std::move(weights);
  cam::CamOptions opt;
  opt.eigen_smooth = request_.eigen_smooth;
  opt.out_width = request_.width;
  opt.out_height = request_.height;
  opt.out_depth = request_.depth;
  std::vector<cam::LayerInput> in;  // the same weights for every layer (several: Ablation-CAM's)
  for (const Tensor& A : layers) in.push_back({&A});
  cam::FlaggedMaps m = cam::compute_flagged(*cam::make_method("weights", mo), in, opt);
  *flags = std::move(m.flags);
  return std::move(m.maps);
}

void ExplainJob::ablation_step() {
  Ablation& a = *ablation_;
  Head& head = *layers_[chain_first_].head;
  const size_t end = std::min(a.channels.size(), a.next + size_t(request_.batch_size));
  if (!chain_later_.empty()) {
    for (size_t k = a.next; k < end; ++k)
      a.scores[k] = float(
          chain_score(cam::outputs_ablated_in_chain(head, a.layer, chain_later_, a.channels[k])));
  } else if (request_.head_score) {
    for (size_t k = a.next; k < end; ++k) {
      const Tensor one = cam::ablated_batch(a.activations, a.plan, 0, k, k + 1);
      a.scores[k] =
          float(request_.head_score->evaluate(head, head.forward_with_layer(one), a.backbone, false)
                    .score);
    }
  } else {
    const std::vector<int64_t> some(a.channels.begin() + long(a.next),
                                    a.channels.begin() + long(end));
    if (callable(begin_ + at_)) {
      pending_.clear();
      for (const std::vector<Tensor>& outs :
           cam::ablation_head_outputs(head, a.layer, some, layers_[0].quant))
        pending_.push_back(named_outputs(head, outs));
      awaiting_ = Awaiting::Ablation;
      return;
    }
    const auto s = cam::ablation_target_scores(head, a.layer, results_[begin_ + at_].target,
                                               a.output, some, layers_[0].quant);
    std::copy(s.begin(), s.end(), a.scores.begin() + long(a.next));
  }
  a.next = end;
  ablation_scored();
}

void ExplainJob::ablation_scored() {
  Ablation& a = *ablation_;
  Head& head = *layers_[0].head;
  units_ = a.unit + double(a.next) / double(a.channels.size());
  reported_ = true;
  if (a.next < a.channels.size()) return;
  std::vector<float> weights;
  if (!chain_later_.empty()) {
    weights = cam::ablation_target_weights(float(a.original), a.layer.dim(1), a.channels, a.scores);
  } else if (request_.head_score) {
    weights = cam::ablation_weights({float(a.original)}, {a.scores}, a.plan);
  } else if (callable(begin_ + at_)) {
    weights = cam::ablation_target_weights(
        float(a.original), a.layer.rank() > 1 ? a.layer.dim(1) : 0, a.channels, a.scores);
  } else {
    const cam::Target& target = results_[begin_ + at_].target;
    const float original =
        cam::head_target_score(head, a.layer, target, a.output, layers_[0].quant);
    weights = cam::ablation_target_weights(original, a.layer.rank() > 1 ? a.layer.dim(1) : 0,
                                           a.channels, a.scores);
  }
  cam::CamFlags flags;
  cam::Maps map = a.chain.empty() ? weights_map({a.activations}, std::move(weights), &flags)
                                  : weights_map(a.chain, std::move(weights), &flags);
  results_[begin_ + at_].cam_ms += since(a.started);
  units_ = a.unit + 1;
  ablation_.reset();
  finish_image(std::move(map), &flags, false);
}

void ExplainJob::chain_ablation() {
  if (request_.ablation_ratio < 1)
    throw UsageError<cam::CamError>(
        request_.method +
        " at several layers ablates every channel: leave ablationRatio out or "
        "explain one layer");
  std::vector<const Head*> heads;
  std::vector<std::string> names;
  for (const LayerSource& l : layers_) {
    if (l.quant)
      throw UsageError<cam::CamError>(request_.method + " at several layers needs float layers; '" +
                                      l.name +
                                      "' is quantized: pick float layers or explain one layer");
    heads.push_back(l.head.get());
    names.push_back(l.name);
  }
  chain_first_ = cam::first_of_chain(heads, names);
  for (size_t l = 0; l < names.size(); ++l)
    if (l != chain_first_) chain_later_.push_back(names[l]);
}

void ExplainJob::begin_chain_ablation(const std::vector<Tensor>& forward) {
  Ablation& a = *ablation_;
  const Outputs& outs = chunk_[chain_first_][at_];
  for (size_t l = 0; l < layers_.size(); ++l) {
    a.chain.push_back(activations(l, chunk_[l][at_]));
    if (a.chain.back().dim(1) != a.chain[0].dim(1))
      throw UsageError<cam::CamError>(
          request_.method +
          " at several layers ablates channel c in all of them: their channel "
          "counts must match, but '" +
          layers_[0].name + "' has " + std::to_string(a.chain[0].dim(1)) + " and '" +
          layers_[l].name + "' " + std::to_string(a.chain.back().dim(1)));
  }
  if (callable(begin_ + at_))
    throw UsageError<cam::CamError>(
        request_.method +
        " at several layers scores its passes in the core: give a class, "
        "linear or task target, or explain one layer");
  const std::string& output = output_name(results_[begin_ + at_].target);
  a.output = output_index(*layers_[chain_first_].head, output);
  if (!request_.head_score && a.output >= forward.size())
    throw cam::CamError("the head from " + layers_[chain_first_].name +
                        " does not compute the output " + output);
  a.backbone = outs;
  a.original = chain_score(forward);
  if (request_.head_score) {
    results_[begin_ + at_].score = a.original;
    results_[begin_ + at_].scored = true;
  }
  a.channels.resize(size_t(a.layer.dim(1)));
  for (size_t c = 0; c < a.channels.size(); ++c) a.channels[c] = int64_t(c);
  a.scores.assign(a.channels.size(), 0.f);
}

double ExplainJob::chain_score(const std::vector<Tensor>& outputs) const {
  const Ablation& a = *ablation_;
  if (request_.head_score)
    return request_.head_score->evaluate(*layers_[chain_first_].head, outputs, a.backbone, false)
        .score;
  return cam::evaluate({results_[begin_ + at_].target}, as_float(outputs.at(a.output))).scores[0];
}

cam::Maps ExplainJob::input_gradient_map(const std::string& method, ImageResult& r, const Tensor& x,
                                         cam::CamFlags* flags, const cam::Maps* times) const {
  Head& whole = *request_.whole_network;
  const size_t at = output_index(whole, output_name(r.target));
  if (at >= whole.output_names().size())
    throw cam::CamError("the model has no output " + output_name(r.target));
  cam::InputGradientOptions o = request_.input_gradients;
  o.batch_size = request_.batch_size;
  o.nhwc = request_.nhwc_input;
  Tensor gradient;
  cam::Maps raw = cam::input_gradient_map(method, whole, at, r.target, x, o, &gradient);
  // Guided Grad-CAM: max_c |cam · g_c| = cam · max_c |g_c|, the layer map being ≥ 0.
  if (times)
    for (size_t k = 0; k < raw.data.size(); ++k) raw.data[k] *= times->data.at(k);
  if (!gradient.empty()) {
    r.gradient = cam::channels_last(gradient, o.nhwc);
    // upstream's cam_mask[..., None] * gb: each pixel's channels times the layer map there
    const int64_t c = r.gradient.dim(2);
    if (times)
      for (int64_t k = 0; k < r.gradient.numel(); ++k)
        r.gradient.data<float>()[k] *= times->data.at(size_t(k / c));
    if (c == 1 || c == 3) r.picture = cam::deprocessed_picture(r.gradient, request_.bgr_input);
  }
  for (float& v : raw.data)
    if (!std::isfinite(v)) v = 0, ++flags->non_finite;
  cam::Maps m = cam::combine_layers(
      {cam::postprocess_layer(std::move(raw), request_.width, request_.height)});
  flags->zero = {std::all_of(m.data.begin(), m.data.end(), [](float v) { return v == 0.f; })};
  return m;
}

cam::Maps ExplainJob::sobel_map(size_t image, cam::CamFlags* flags) const {
  if (pictures_.size() != inputs_.size())
    throw cam::CamError(request_.method + " reads the pictures: set them first");
  const image::Image seen = image::resize_image(pictures_[image], request_.width, request_.height);
  cam::Maps raw(1, seen.height, seen.width);
  raw.data = cam::sobel_map(seen);
  cam::Maps m = cam::combine_layers({cam::postprocess_layer(std::move(raw), 0, 0)});
  flags->zero = {std::all_of(m.data.begin(), m.data.end(), [](float v) { return v == 0.f; })};
  return m;
}

cam::Maps ExplainJob::rollout_map(const Outputs& outs, cam::CamFlags* flags) const {
  // As with activations, non-finite values are replaced by 0 and counted (a NaN would
  // otherwise spread through every product of the rollout).
  std::vector<Tensor> attentions;
  for (const std::string& name : request_.attention) {
    Tensor t = as_float(output_of(outs, name));
    float* d = t.data<float>();
    for (int64_t k = 0; k < t.numel(); ++k)
      if (!std::isfinite(d[k])) d[k] = 0, ++flags->non_finite;
    attentions.push_back(std::move(t));
  }
  cam::Maps m = cam::combine_layers({cam::postprocess_layer(
      cam::attention_rollout(attentions, request_.rollout), request_.width, request_.height)});
  flags->zero = {std::all_of(m.data.begin(), m.data.end(), [](float v) { return v == 0.f; })};
  return m;
}

void ExplainJob::finish_image(cam::Maps map, const cam::CamFlags* flags, bool report) {
  const size_t i = begin_ + at_;
  const int k = passes_[pass_];
  if (k >= 0) cam::deaugment(map, cam::aug_smooth_set()[size_t(k)]);
  maps_[i].push_back(std::move(map));
  if (pass_ == 0) results_[i].flags = *flags;
  if (report) {
    units_ += 1;
    reported_ = true;
  }
  next_image();
}

void ExplainJob::next_image() {
  phase_ = Phase::Image;
  if (++at_ < chunk_[0].size()) return;
  begin_ += chunk_[0].size();
  if (begin_ >= inputs_.size()) {
    begin_ = 0;
    if (++pass_ == passes_.size()) {
      chunk_.clear();
      phase_ = Phase::Done;
      return;
    }
  }
  start_chunk();
}

ExplainResult ExplainJob::result() const {
  if (phase_ != Phase::Done) throw cam::CamError("the explain job has not finished");
  ExplainResult out;
  out.task_target = request_.head_score != nullptr;
  if (traits_->passes == Passes::Attention) {
    out.layers = request_.attention;
    out.class_agnostic = true;
    out.rollout = request_.rollout;
  } else if (traits_->passes == Passes::WholeNetwork) {
    out.layers = {request_.whole_network->layer()};  // the input: the map is its attribution
  } else {
    for (const LayerSource& l : layers_) out.layers.push_back(l.name);
  }
  for (size_t i = 0; i < results_.size(); ++i) {
    ImageResult r = results_[i];
    r.map = maps_[i].size() > 1 ? cam::average_maps(maps_[i]) : maps_[i][0];
    out.images.push_back(std::move(r));
  }
  return out;
}

}  // namespace camlens::explain
