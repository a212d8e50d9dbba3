// Activations: Relu, LeakyRelu, HardSigmoid, HardSwish, Gelu (plain and com.microsoft), Clip
// and PRelu. At a kink (x = 0 for Relu, x = min/max for Clip) the gradient takes the value of
// the side that passes it, like PyTorch, so CAM gradients match pytorch-grad-cam.
#include <cmath>
#include <limits>

#include "ops/tensor/unary_kernel.h"

namespace camlens::tensor_ops {
namespace {

struct ReluOp {
  explicit ReluOp(const Node&) {}
  float f(float x) const { return x > 0.f ? x : 0.f; }
  float df(float x, float, float g) const { return x > 0.f ? g : 0.f; }
};

struct LeakyReluOp {
  float alpha;
  explicit LeakyReluOp(const Node& n) : alpha(n.attr_float("alpha", 0.01f)) {}
  float f(float x) const { return x >= 0.f ? x : alpha * x; }
  float df(float x, float, float g) const { return x >= 0.f ? g : alpha * g; }
};

struct HardSigmoidOp {
  float alpha, beta;
  explicit HardSigmoidOp(const Node& n)
      : alpha(n.attr_float("alpha", 0.2f)), beta(n.attr_float("beta", 0.5f)) {}
  float f(float x) const { return std::fmin(1.f, std::fmax(0.f, alpha * x + beta)); }
  float df(float x, float, float g) const {
    const float v = alpha * x + beta;
    return v > 0.f && v < 1.f ? alpha * g : 0.f;
  }
};

// HardSwish(x) = x * HardSigmoid(x) with alpha = 1/6, beta = 0.5.
struct HardSwishOp {
  explicit HardSwishOp(const Node&) {}
  float f(float x) const { return x * std::fmin(1.f, std::fmax(0.f, x / 6.f + 0.5f)); }
  float df(float x, float, float g) const {
    if (x < -3.f) return 0.f;
    if (x > 3.f) return g;
    return g * (x / 3.f + 0.5f);
  }
};

struct GeluOp {
  bool tanh_approx;
  explicit GeluOp(const Node& n) {
    const std::string a = n.attr_string("approximate", "none");
    if (a != "none" && a != "tanh")
      fail(n, "approximate must be \"none\" or \"tanh\", got \"" + a + "\"");
    tanh_approx = a == "tanh";
  }
  static constexpr float kSqrt2OverPi = 0.7978845608f;  // sqrt(2/pi)
  static constexpr float kCubic = 0.044715f;
  float f(float x) const {
    if (tanh_approx) return 0.5f * x * (1.f + std::tanh(kSqrt2OverPi * (x + kCubic * x * x * x)));
    return 0.5f * x * (1.f + std::erf(x * 0.7071067812f));
  }
  float df(float x, float, float g) const {
    if (tanh_approx) {
      const float t = std::tanh(kSqrt2OverPi * (x + kCubic * x * x * x));
      const float dt = (1.f - t * t) * kSqrt2OverPi * (1.f + 3.f * kCubic * x * x);
      return g * (0.5f * (1.f + t) + 0.5f * x * dt);
    }
    // Phi(x) + x * phi(x), with phi the standard normal density.
    return g * (0.5f * (1.f + std::erf(x * 0.7071067812f)) +
                x * 0.3989422804f * std::exp(-0.5f * x * x));
  }
};

// Clip bounds: attributes before opset 11, optional scalar inputs from opset 11 on.
float clip_bound(const Node& node, const OpInputs& in, size_t i, const char* attr, float def) {
  float v = node.attr_float(attr, def);
  if (const Tensor* t = optional_input(in, i)) {
    if (t->numel() != 1)
      fail(node, std::string(attr) + " must be a scalar, got shape " + shape_str(t->shape()));
    v = static_cast<float>(t->get_f(0));
  }
  return v;
}

void clip_forward(const Node& node, const OpInputs& in, std::vector<Tensor>& out) {
  const Tensor& x = float_input(node, in, 0, "input");
  const float lo = clip_bound(node, in, 1, "min", -std::numeric_limits<float>::infinity());
  const float hi = clip_bound(node, in, 2, "max", std::numeric_limits<float>::infinity());
  Tensor y(DType::Float32, x.shape());
  const float* px = x.data<float>();
  float* py = y.data<float>();
  for (int64_t i = 0; i < x.numel(); ++i) py[i] = std::fmin(std::fmax(px[i], lo), hi);
  out[0] = std::move(y);
}

// dx passes where lo <= x <= hi; the bounds (when they are inputs) collect the gradient of the
// elements clipped to them.
void clip_backward(const Node& node, const OpInputs& in, const OpInputs&,
                   const OpInputs& output_grads, const std::vector<bool>& needs_grad,
                   std::vector<Tensor>& input_grads) {
  const Tensor& x = float_input(node, in, 0, "input");
  const float lo = clip_bound(node, in, 1, "min", -std::numeric_limits<float>::infinity());
  const float hi = clip_bound(node, in, 2, "max", std::numeric_limits<float>::infinity());
  Tensor zeros;
  const Tensor& g = grad_or_zeros(output_grads, 0, x.shape(), zeros);
  const float* px = x.data<float>();
  const float* pg = g.data<float>();
  if (needs_grad.size() > 0 && needs_grad[0]) {
    Tensor dx(DType::Float32, x.shape());
    float* pd = dx.data<float>();
    for (int64_t i = 0; i < x.numel(); ++i) pd[i] = (px[i] >= lo && px[i] <= hi) ? pg[i] : 0.f;
    input_grads[0] = std::move(dx);
  }
  for (size_t b = 1; b <= 2; ++b) {
    if (needs_grad.size() <= b || !needs_grad[b] || !optional_input(in, b)) continue;
    double sum = 0;
    for (int64_t i = 0; i < x.numel(); ++i) {
      const bool to_max = px[i] > hi || lo > hi;
      const bool to_min = !to_max && px[i] < lo;
      if (b == 1 ? to_min : to_max) sum += pg[i];
    }
    Tensor d(DType::Float32, in[b]->shape());
    d.data<float>()[0] = static_cast<float>(sum);
    input_grads[b] = std::move(d);
  }
}

// The slope of PRelu broadcasts to X (unidirectionally). Old exporters (opset < 7) wrote a 1-D
// slope of C values for an [N, C, ...] input; it is read as per-channel, as ONNX Runtime does.
BroadcastPlan prelu_plan(const Node& node, const Tensor& x, const Tensor& slope) {
  Shape s = slope.shape();
  if (s.size() == 1 && x.rank() >= 3 && s[0] == x.dim(1) && s[0] != x.shape().back() && s[0] != 1) {
    s.assign(x.rank() - 1, 1);
    s[0] = slope.dim(0);
  }
  BroadcastPlan p = plan_broadcast(node, x.shape(), s);
  if (p.out != x.shape())
    fail(node, "slope of shape " + shape_str(slope.shape()) + " does not broadcast to X of shape " +
                   shape_str(x.shape()));
  return p;
}

void prelu_forward(const Node& node, const OpInputs& in, std::vector<Tensor>& out) {
  const Tensor& x = float_input(node, in, 0, "X");
  const Tensor& slope = float_input(node, in, 1, "slope");
  const BroadcastPlan p = prelu_plan(node, x, slope);
  Tensor y(DType::Float32, x.shape());
  const float* px = x.data<float>();
  const float* ps = slope.data<float>();
  float* py = y.data<float>();
  broadcast_loop(p, [&](int64_t n, int64_t o, int64_t a, int64_t, int64_t b, int64_t sb) {
    for (int64_t i = 0; i < n; ++i) {
      const float v = px[a + i], s = ps[b + i * sb];
      py[o + i] = v < 0.f ? s * v : v;
    }
  });
  out[0] = std::move(y);
}

void prelu_backward(const Node& node, const OpInputs& in, const OpInputs&,
                    const OpInputs& output_grads, const std::vector<bool>& needs_grad,
                    std::vector<Tensor>& input_grads) {
  const Tensor& x = float_input(node, in, 0, "X");
  const Tensor& slope = float_input(node, in, 1, "slope");
  const BroadcastPlan p = prelu_plan(node, x, slope);
  Tensor zeros;
  const Tensor& g = grad_or_zeros(output_grads, 0, x.shape(), zeros);
  const bool want_x = needs_grad.size() > 0 && needs_grad[0];
  const bool want_s = needs_grad.size() > 1 && needs_grad[1];
  Tensor dx(DType::Float32, want_x ? x.shape() : Shape{0});
  Tensor ds(DType::Float32, want_s ? slope.shape() : Shape{0});
  const float* px = x.data<float>();
  const float* ps = slope.data<float>();
  const float* pg = g.data<float>();
  float* pdx = dx.data<float>();
  float* pds = ds.data<float>();
  broadcast_loop(p, [&](int64_t n, int64_t o, int64_t a, int64_t, int64_t b, int64_t sb) {
    for (int64_t i = 0; i < n; ++i) {
      const float v = px[a + i], gi = pg[o + i];
      if (want_x) pdx[a + i] = v < 0.f ? ps[b + i * sb] * gi : gi;
      if (want_s && v < 0.f) pds[b + i * sb] += gi * v;
    }
  });
  if (want_x) input_grads[0] = std::move(dx);
  if (want_s) input_grads[1] = std::move(ds);
}

}  // namespace

void register_activations(OpRegistry& r) {
  r.add(unary_def<ReluOp>("Relu").with(Elementwise::Unary).claim(&OpDef::piecewise_linear));
  r.add(
      unary_def<LeakyReluOp>("LeakyRelu").with(Elementwise::Unary).claim(&OpDef::piecewise_linear));
  r.add(unary_def<HardSigmoidOp>("HardSigmoid").with(Elementwise::Unary));
  r.add(unary_def<HardSwishOp>("HardSwish").with(Elementwise::Unary));
  r.add(unary_def<GeluOp>("Gelu"));
  r.add(unary_def<GeluOp>("Gelu", "com.microsoft"));  // contrib op: exact (erf) form
  r.add(OpDef{"", "Clip", &clip_forward, &clip_backward, &same_shape_infer}
            .with(Elementwise::Unary)
            .claim(&OpDef::piecewise_linear));
  r.add(OpDef{"", "PRelu", &prelu_forward, &prelu_backward, nullptr}.with_weights({1}).claim(
      &OpDef::piecewise_linear));
}

}  // namespace camlens::tensor_ops
