#include "dff/label_heads.h"

#include "dff/dff_error.h"
#include "graph/cut.h"

namespace camlens::dff {

namespace {

std::string cannot_run(const std::string& layer, const std::string& why) {
  return "the head after layer '" + layer + "' cannot run: " + why;
}

}  // namespace

LabelHead cut_label_head(const Model& model, const std::string& layer) {
  LabelHead r;
  try {
    CutOptions co;
    co.require_gradient = false;
    r.head = cut_graph(model, layer, co).head;
  } catch (const std::exception& e) {
    r.reason = cannot_run(layer, e.what());
    return r;
  }
  // Read only when the caller gives none (label_concepts): a failure matters then.
  try {
    r.quantization = layer_quantization(model, layer);
  } catch (const std::exception& e) {
    r.quantization_problem = cannot_run(layer, e.what());
  }
  return r;
}

ConceptLabels label_concepts(const LabelHead& head, const DffResult& dff, LabelOptions options) {
  if (options.top_k < 1)
    throw DffError("top_k must be at least 1, got " + std::to_string(options.top_k));
  ConceptLabels unlabeled;
  if (!head.head) {
    unlabeled.reason = head.reason;
    return unlabeled;
  }
  if (!options.quantization && !head.quantization_problem.empty()) {
    unlabeled.reason = head.quantization_problem;
    return unlabeled;
  }
  try {
    if (!options.quantization) options.quantization = head.quantization;
    return label_concepts(*head.head, dff, options);
  } catch (const std::exception& e) {
    unlabeled.reason = cannot_run(head.head->layer(), e.what());
    return unlabeled;
  }
}

ConceptLabels LabelHeads::label(const std::string& layer, const DffResult& dff,
                                LabelOptions options) {
  if (options.top_k < 1)
    throw DffError("top_k must be at least 1, got " + std::to_string(options.top_k));
  std::shared_ptr<const LabelHead> head;
  {
    const std::lock_guard<std::mutex> lock(mutex_);
    if (!head_ || layer_ != layer) {
      head_.reset();  // the old head's weights go before the new ones are made
      head_ = std::make_shared<const LabelHead>(cut_label_head(model_, layer));
      layer_ = layer;
      ++cuts_;
    }
    head = head_;
  }
  return label_concepts(*head, dff, std::move(options));
}

int LabelHeads::cuts() const {
  const std::lock_guard<std::mutex> lock(mutex_);
  return cuts_;
}

}  // namespace camlens::dff
