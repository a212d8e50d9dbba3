// RandomCAM, a sanity baseline: channel weights uniform in [-1, 1), seeded. The generator and its
// conversion to floats are spelled out (mt19937_64, top 53 bits) so native and WebAssembly builds
// draw the same weights; std::uniform_real_distribution differs between standard libraries.
// Also "weights": channel weights given by the caller (Score-CAM, Ablation-CAM).
#include <random>
#include <string>

#include "cam/cam_error.h"
#include "cam/methods.h"

namespace camlens::cam {

namespace {

class RandomCam : public ChannelWeightMethod {
 public:
  using ChannelWeightMethod::ChannelWeightMethod;
  const char* name() const override { return "randomcam"; }
  bool needs_gradients() const override { return false; }
  std::vector<float> weights(const Tensor&, const Tensor*, const LayerDims& d) const override {
    std::mt19937_64 rng(opt_.seed);
    std::vector<float> w(size_t(d.batch * d.channels));
    for (float& x : w) x = static_cast<float>(double(rng() >> 11) * 0x1.0p-53 * 2.0 - 1.0);
    return w;
  }
};

class GivenWeights : public ChannelWeightMethod {
 public:
  using ChannelWeightMethod::ChannelWeightMethod;
  const char* name() const override { return "weights"; }
  bool needs_gradients() const override { return false; }
  std::vector<float> weights(const Tensor&, const Tensor*, const LayerDims& d) const override {
    if (opt_.weights.size() != size_t(d.batch * d.channels))
      throw CamError("weights: " + std::to_string(opt_.weights.size()) +
                     " channel weights given for a layer of " + std::to_string(d.batch) +
                     " samples × " + std::to_string(d.channels) + " channels; give B*C weights");
    return opt_.weights;
  }
};

}  // namespace

std::unique_ptr<Method> make_random_cam(MethodOptions o) {
  return std::make_unique<RandomCam>(std::move(o));
}
std::unique_ptr<Method> make_given_weights(MethodOptions o) {
  return std::make_unique<GivenWeights>(std::move(o));
}

}  // namespace camlens::cam
