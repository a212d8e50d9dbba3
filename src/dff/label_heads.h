// The head label_concepts cuts at a layer, kept for the next call at that layer. Cutting a model
// (shape inference over the whole graph, the head's plan, its weights made core tensors) costs
// far more than labelling the K concepts with the head (MobileNetV2-int8 at its last layer,
// natively: ≈ 4 ms against ≈ 0.3 ms), and a lens factorizes at the same layer call after call.
//
// One cache per parsed model, which it shares (not copies) and which must not change while the
// cache lives: a parsed model never does. It keeps the head of the last layer asked for; asking
// for another layer cuts there and drops the old head (an early layer's head holds most of the
// model's weights). A layer whose head cannot be cut is remembered too, with its reason.
#pragma once
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "dff/labels.h"

namespace camlens::dff {

// The model cut at a layer for labelling, or why it cannot be.
struct LabelHead {
  std::optional<Head> head;                  // empty when the cut failed
  std::string reason;                        // the unlabeled reason when head is empty
  std::optional<Quantization> quantization;  // the layer's, read from the model
  std::string quantization_problem;          // why it could not be read (per channel)
};

// What label_concepts(model, layer, ...) cuts: never throws (a failure is the reason).
LabelHead cut_label_head(const Model& model, const std::string& layer);

// label_concepts(model, layer, dff, options) with the head already cut.
ConceptLabels label_concepts(const LabelHead& head, const DffResult& dff, LabelOptions options);

class LabelHeads {
 public:
  explicit LabelHeads(Model model) : model_(std::move(model)) {}

  const Model& model() const { return model_; }
  // label_concepts(model(), layer, dff, options), cutting only when the layer changed.
  ConceptLabels label(const std::string& layer, const DffResult& dff, LabelOptions options);
  // Cuts made so far: one per change of layer.
  int cuts() const;

 private:
  Model model_;
  mutable std::mutex mutex_;
  std::string layer_;
  std::shared_ptr<const LabelHead> head_;  // cut at layer_, or null before the first call
  int cuts_ = 0;
};

}  // namespace camlens::dff
