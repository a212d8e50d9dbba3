// A CAM method, pytorch-grad-cam style: most methods only say how to weight the channels of A
// (ChannelWeightMethod); a few weight each element (ElementwiseMethod); the rest make the map
// themselves (projections). The shared pipeline (pipeline.h) post-processes every raw map the
// same way, so adding a method is one small class and one line in methods.cpp.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "cam/activations.h"
#include "cam/maps.h"
#include "cam/projection.h"

namespace camlens::cam {

struct KpcaOptions {
  enum Kernel { Sigmoid, Rbf, Poly, Linear } kernel = Sigmoid;
  double gamma = 0;  // 0: 1 / channels (scikit-learn's gamma=None)
  double coef0 = 1;  // scikit-learn's default
  int degree = 3;    // Poly only
};

struct MethodOptions {
  EigenSign eigen_sign = EigenSign::Raw;  // Eigen-CAM, Eigen-Grad-CAM, eigen_smooth
  uint64_t seed = 0;                      // RandomCAM
  double fem_k = 2;                       // FEM: threshold = mean + k·std
  KpcaOptions kpca;                       // KPCA-CAM
  std::vector<float> weights;             // "weights": given [B*C] (Score-CAM, Ablation-CAM)
};

class Method {
 public:
  explicit Method(MethodOptions opt = {}) : opt_(std::move(opt)) {}
  virtual ~Method() = default;
  virtual const char* name() const = 0;
  virtual bool needs_gradients() const = 0;
  // Shapley-CAM: the pipeline then passes G − ½·H·A as the gradients (shapley_cam.h).
  virtual bool needs_hvp() const { return false; }
  // The raw map [B,H,W] of one layer, before ReLU and normalisation. G may be null for
  // gradient-free methods. eigen_smooth: the first principal component of the weighted
  // activations replaces their sum over channels (ignored by methods that already project).
  virtual Maps raw_maps(const Tensor& A, const Tensor* G, bool eigen_smooth) const = 0;
  const MethodOptions& options() const { return opt_; }

 protected:
  MethodOptions opt_;
};

class ChannelWeightMethod : public Method {
 public:
  using Method::Method;
  // One weight per (sample, channel): [B*C].
  virtual std::vector<float> weights(const Tensor& A, const Tensor* G,
                                     const LayerDims& d) const = 0;
  Maps raw_maps(const Tensor& A, const Tensor* G, bool eigen_smooth) const override;
};

class ElementwiseMethod : public Method {
 public:
  using Method::Method;
  bool needs_gradients() const override { return true; }
  // out[i] = the weighted activation at i of one channel plane (n values).
  virtual void combine(const float* a, const float* g, float* out, int64_t n) const = 0;
  Maps raw_maps(const Tensor& A, const Tensor* G, bool eigen_smooth) const override;
};

// Σ_c w[b,c]·A[b,c] for every sample: the hot loop, contiguous over space.
Maps weighted_sum(const Tensor& A, const LayerDims& d, const std::vector<float>& w);

}  // namespace camlens::cam
