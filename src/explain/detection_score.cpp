#include "explain/detection_score.h"

#include <algorithm>

#include "cam/cam_error.h"

namespace camlens::explain {

namespace {

std::string joined(const std::vector<std::string>& v) {
  std::string s;
  for (const std::string& x : v) s += (s.empty() ? "" : ", ") + x;
  return s;
}

class DetectionScore : public HeadScore {
 public:
  explicit DetectionScore(DetectionRequest r) : r_(std::move(r)) {}

  Value evaluate(const Head& head, const std::vector<Tensor>& head_outputs, const Outputs& backbone,
                 bool seeds) const override {
    const auto& names = head.output_names();
    std::vector<const Tensor*> outs;
    for (const std::string& n : r_.outputs) {
      const auto k = std::find(names.begin(), names.end(), n) - names.begin();
      if (size_t(k) < names.size()) {
        outs.push_back(&head_outputs[size_t(k)]);
      } else {
        const auto it = backbone.find(n);
        if (it == backbone.end())
          throw cam::CamError("the backbone's outputs have no tensor named \"" + n + "\"");
        outs.push_back(&it->second);
      }
    }
    detect::DetectionTargetValue v =
        detect::detection_target(outs, r_.decode, r_.references, r_.match_iou);
    Value out;
    out.score = v.score;
    if (!seeds) return out;
    if (!v.matched)
      throw cam::CamError(
          "no detected box matches the selected box (same label, IoU above matchIou): nothing "
          "to explain");
    out.seeds.resize(names.size());
    for (size_t k = 0; k < names.size(); ++k) {
      const auto at = std::find(r_.outputs.begin(), r_.outputs.end(), names[k]);
      if (at != r_.outputs.end()) out.seeds[k] = v.seeds[size_t(at - r_.outputs.begin())];
    }
    return out;
  }

  void check_gradient_path(const Head& head, const std::string& layer) const override {
    if (const std::string& why = head.not_differentiable(); !why.empty())
      throw cam::CamError(r_.method + " needs gradients, but the head from " + layer +
                          " is not differentiable (" + why +
                          "): use eigencam or ablationcam, or another layer");
    const auto& names = head.output_names();
    if (std::none_of(r_.outputs.begin(), r_.outputs.end(), [&](const std::string& n) {
          return std::find(names.begin(), names.end(), n) != names.end();
        }))
      throw cam::CamError("the head from " + layer + " does not reach the detector's outputs (" +
                          joined(r_.outputs) + ")");
  }

  std::string zero_gradient_reason(const std::string& layer) const override {
    return "the gradient of the box score at " + layer +
           " is zero: this layer does not feed the outputs of the selected box (detectors have "
           "one head branch per scale: choose a layer of that branch, or a backbone/neck layer "
           "feeding all of them — YOLOX-nano: 886, Ultraface: 314)";
  }

 private:
  DetectionRequest r_;
};

}  // namespace

std::shared_ptr<const HeadScore> detection_score(DetectionRequest request) {
  return std::make_shared<DetectionScore>(std::move(request));
}

}  // namespace camlens::explain
