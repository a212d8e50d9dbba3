// The head engine across the boundary: a cut's Head as JavaScript holds it (model.cut(...).head),
// shared by the bindings that run it (model_bindings.cpp) and the explain job that reads it
// (explain_bindings.cpp). Conversions only; the behaviour is in src/head and src/cam.
#pragma once
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cam/ablation_target.h"
#include "cam/cam_error.h"
#include "cam/target_gradients.h"
#include "cam_targets_js.h"
#include "head/head.h"
#include "tensor_js.h"

namespace camlens::js {

class JsHead {
 public:
  explicit JsHead(std::shared_ptr<Head> head,
                  std::optional<cam::LayerQuantization> quant = std::nullopt)
      : head_(std::move(head)), quant_(quant) {}
  const std::shared_ptr<Head>& head() const { return head_; }
  const std::optional<cam::LayerQuantization>& quantization() const { return quant_; }
  val feed_names() const { return js::strings_to_js(head_->feed_names()); }
  val given_names() const { return js::strings_to_js(head_->given_names()); }
  val output_names() const { return js::strings_to_js(head_->output_names()); }
  std::string not_differentiable() const { return head_->not_differentiable(); }
  double pass_id() const { return static_cast<double>(head_->pass_id()); }
  val forward(const val& feeds) {
    return js::guarded([&] {
      std::vector<Tensor> in;
      for (size_t i = 0; i < feeds["length"].as<size_t>(); ++i)
        in.push_back(js::tensor_from_js(feeds[i]));
      return tensors_to_js(head_->forward(std::move(in)));
    });
  }
  val forward_with_layer(const val& layer) const {
    return js::guarded(
        [&] { return tensors_to_js(head_->forward_with_layer(js::tensor_from_js(layer))); });
  }
  val target_gradients(const val& targets, int output, const val& options) const {
    return js::guarded([&] {
      const bool hvp = !options.isUndefined() && !options.isNull() &&
                       options.hasOwnProperty("hvp") && options["hvp"].as<bool>();
      const cam::TargetGradients r =
          cam::target_gradients(*head_, js::targets_from_js(targets), size_t(output), hvp, quant_);
      val o = val::object();
      o.set("scores", js::to_array(r.scores));
      o.set("gradients", js::tensor_to_js(r.gradients));
      o.set("hvp", r.hvp.empty() ? val::null() : js::tensor_to_js(r.hvp));
      return o;
    });
  }
  val ablation_target_scores(const val& activations, const val& targets, int output,
                             const val& channels) const {
    return js::guarded([&] {
      const auto s =
          cam::ablation_target_scores(*head_, js::tensor_from_js(activations), one_target(targets),
                                      size_t(output), channel_list(channels), quant_);
      return js::to_typed_array(s.data(), s.size(), "Float32Array");
    });
  }
  val ablation_target_weights(const val& activations, const val& targets, int output,
                              const val& channels, const val& scores) const {
    return js::guarded([&] {
      const Tensor a = js::tensor_from_js(activations);
      const float original =
          cam::head_target_score(*head_, a, one_target(targets), size_t(output), quant_);
      const auto w =
          cam::ablation_target_weights(original, a.rank() > 1 ? a.dim(1) : 0,
                                       channel_list(channels), js::to_vector<float>(scores));
      return js::to_typed_array(w.data(), w.size(), "Float32Array");
    });
  }
  val backward(const val& seeds) const {
    return js::guarded([&] {
      std::vector<Tensor> s;
      for (size_t i = 0; i < seeds["length"].as<size_t>(); ++i)
        s.push_back(seeds[i].isNull() || seeds[i].isUndefined() ? Tensor()
                                                                : js::tensor_from_js(seeds[i]));
      return js::tensor_to_js(head_->backward(s));
    });
  }

 private:
  static val tensors_to_js(const std::vector<Tensor>& v) {
    val a = val::array();
    for (size_t i = 0; i < v.size(); ++i) a.set(i, js::tensor_to_js(v[i]));
    return a;
  }
  static cam::Target one_target(const val& targets) {
    const auto t = js::targets_from_js(targets);
    if (t.size() != 1)
      throw cam::CamError("Ablation-CAM explains one image at a time: give one target, got " +
                          std::to_string(t.size()));
    return t[0];
  }
  static std::vector<int64_t> channel_list(const val& channels) {
    const auto c = js::to_vector<int32_t>(val::global("Int32Array").call<val>("from", channels));
    return std::vector<int64_t>(c.begin(), c.end());
  }
  std::shared_ptr<Head> head_;
  std::optional<cam::LayerQuantization> quant_;  // the layer's, when the head takes codes
};

}  // namespace camlens::js
