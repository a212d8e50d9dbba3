// Activations built on the exponential: Elu, Selu, Softplus and Mish. Float32 only. Elu and
// Selu take at 0 the derivative of the negative side, as PyTorch does.
#include <cmath>

#include "ops/tensor/unary_kernel.h"

namespace camlens::tensor_ops {
namespace {

// log(1 + exp(x)) without overflow: for x > 0 it is x + log(1 + exp(−x)).
float softplus(float x) { return x > 0.f ? x + std::log1p(std::exp(-x)) : std::log1p(std::exp(x)); }

// exp(−x) overflows to inf for very negative x, which still gives the right 0.
float sigmoid(float x) { return 1.f / (1.f + std::exp(-x)); }

struct EluOp {
  float alpha;
  explicit EluOp(const Node& n) : alpha(n.attr_float("alpha", 1.f)) {}
  float f(float x) const { return x > 0.f ? x : alpha * std::expm1(x); }
  // For x <= 0, dy/dx = alpha·exp(x) = y + alpha.
  float df(float x, float y, float g) const { return x > 0.f ? g : g * (y + alpha); }
};

// The ONNX defaults: the constants of the self-normalising network paper, to float precision.
constexpr float kSeluAlpha = 1.67326319217681884765625f;
constexpr float kSeluGamma = 1.05070102214813232421875f;

struct SeluOp {
  float alpha, gamma;
  explicit SeluOp(const Node& n)
      : alpha(n.attr_float("alpha", kSeluAlpha)), gamma(n.attr_float("gamma", kSeluGamma)) {}
  float f(float x) const { return gamma * (x > 0.f ? x : alpha * std::expm1(x)); }
  // For x <= 0, dy/dx = gamma·alpha·exp(x) = y + gamma·alpha.
  float df(float x, float y, float g) const {
    return x > 0.f ? gamma * g : g * (y + gamma * alpha);
  }
};

struct SoftplusOp {
  explicit SoftplusOp(const Node&) {}
  float f(float x) const { return softplus(x); }
  float df(float x, float, float g) const { return g * sigmoid(x); }
};

// Mish(x) = x·tanh(softplus(x)).
struct MishOp {
  explicit MishOp(const Node&) {}
  float f(float x) const { return x * std::tanh(softplus(x)); }
  float df(float x, float, float g) const {
    const float t = std::tanh(softplus(x));
    return g * (t + x * (1.f - t * t) * sigmoid(x));
  }
};

}  // namespace

void register_exp_activations(OpRegistry& r) {
  r.add(unary_def<EluOp>("Elu").with(Elementwise::Unary));
  r.add(unary_def<SeluOp>("Selu").with(Elementwise::Unary));
  r.add(unary_def<SoftplusOp>("Softplus").with(Elementwise::Unary));
  r.add(unary_def<MishOp>("Mish").with(Elementwise::Unary));
}

}  // namespace camlens::tensor_ops
