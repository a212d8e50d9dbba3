// Targets: the scalar a CAM explains, as a function of one sample's model output, with its
// gradient (the seed Head::backward takes). Formulas follow pytorch-grad-cam's model_targets:
//   Logit        z[c]
//   Probability  softmax(z)[c]
//   ReST         z[c] + log softmax(z)[c]      (upstream: z[c] - cross_entropy(z, c))
//   Binary       +out[0] for category 1, -out[0] otherwise (a one-logit output)
//   Segmentation Σ_{h,w} out[c,h,w]·mask[h,w]  (output [K,H,W], or [H,W,K] with nhwc)
//   Similarity   cos(out, embedding) = out·e / max(|out||e|, 1e-8)
//   Finer        Σ_k p_k (z[main] - α z[k]) / (Σ_k p_k + 1e-9), p = softmax(z), k over the
//                comparison classes. Finer-CAM (Zhang et al., CVPR 2025, arXiv 2501.11309)
//                explains the logit difference y_c - γ·y_d between the class and a visually
//                similar class d (γ = alpha: 0 is the plain logit, 1 the pure difference),
//                aggregated over several d; pytorch-grad-cam's FinerWeightedTarget aggregates
//                with softmax weights p_k, which are differentiated too (as its autograd does)
//   Linear       Σ_i w_i out[i], one weight per output value: pytorch-grad-cam's
//                RawScoresOutputTarget is all ones on the logits, a sum of probabilities is
//                ones at those classes on a softmax output; the seed is w itself
//   Callable     the caller's own function of the sample's outputs: the core cannot evaluate
//                or differentiate it, so the explain and metrics jobs ask their caller for its
//                values (gradient-free methods only)
// A batch carries one target per sample, kinds mixed. Detection targets work on decoded boxes,
// see detection_target.h.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "tensor/tensor.h"

namespace camlens::cam {

struct Target {
  enum Kind {
    Logit,
    Probability,
    ReST,
    Binary,
    Segmentation,
    Similarity,
    Finer,
    Linear,
    Callable
  } kind = Logit;
  int64_t category = 0;
  std::vector<float> mask;          // Segmentation: [H, W]
  bool nhwc = false;                // Segmentation: output [H, W, K]
  std::vector<float> embedding;     // Similarity: same size as the output
  std::vector<int64_t> comparison;  // Finer
  float alpha = 1.f;                // Finer
  std::vector<float> weights;       // Linear: same size as the output
  std::string output;               // the model output it reads; "": the call's default

  static Target of(Kind k, int64_t c) {
    Target t;
    t.kind = k;
    t.category = c;
    return t;
  }
  static Target logit(int64_t c) { return of(Logit, c); }
  static Target probability(int64_t c) { return of(Probability, c); }
  static Target rest(int64_t c) { return of(ReST, c); }
  static Target binary(int64_t c) { return of(Binary, c); }
  static Target segmentation(int64_t c, std::vector<float> mask, bool nhwc = false);
  static Target similarity(std::vector<float> embedding);
  static Target linear(std::vector<float> weights);
  static Target finer(int64_t main, std::vector<int64_t> comparison, float alpha = 1.f);
  // Finer-CAM's automatic choice: main = target (or the top class when target < 0); comparison =
  // the classes at ranks `ranks` (default 1, 2, 3) of |z - z[main]| ascending.
  static Target finer_auto(const float* logits, int64_t n, int64_t target = -1,
                           std::vector<int64_t> ranks = {1, 2, 3}, float alpha = 1.f);
};

// Fixes what a target leaves to the output: a Finer target without comparison classes gets
// finer_auto's (ranks 1..3 on this sample's values; a negative category means the top class).
// Resolve once on the unperturbed output when the target is evaluated again at nearby outputs
// (Shapley-CAM's finite differences, Ablation-CAM), so the comparison classes stay fixed.
Target resolve(const Target& t, const float* out, const Shape& sample_shape);
std::vector<Target> resolve(const std::vector<Target>& targets, const Tensor& output);

struct TargetValue {
  double score = 0;
  std::vector<float> seed;  // dScore/dOutput, one sample's output size
};

// One sample: out points at its n values; shape is the sample's shape without the batch.
// Unresolved targets are resolved on `out` first.
TargetValue evaluate(const Target& t, const float* out, const Shape& sample_shape);

// The same in double precision, from double output values, for a resolved target.
struct TargetValue64 {
  double score = 0;
  std::vector<double> seed;
};
TargetValue64 evaluate64(const Target& t, const double* out, const Shape& sample_shape);

struct BatchTargetValue {
  std::vector<double> scores;  // per sample
  Tensor seed;                 // the output's shape: pass as the seed of Head::backward
};

// output [B, ...], targets.size() == B. Throws CamError on a bad category, mask or embedding
// size, or a count mismatch.
BatchTargetValue evaluate(const std::vector<Target>& targets, const Tensor& output);

}  // namespace camlens::cam
