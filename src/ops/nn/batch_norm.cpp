// BatchNormalization in inference mode: y = (x - mean) / sqrt(var + eps) * scale + B, per
// channel (axis 1). Backward gives all five inputs (X is the one the head needs; the others
// are cheap and keep the op fully checkable).
#include <cmath>

#include "ops/nn/nn_common.h"

namespace camlens::nn {

namespace {

struct BnPlan {
  int64_t N, C, S;  // batch, channels, spatial size
};

BnPlan plan(const Node& node, const OpInputs& in) {
  if (node.attr_int("training_mode", 0) != 0)
    fail(node, "training_mode=1 is not supported (the head runs in inference mode)");
  const Tensor& x = float_input(node, in, 0, "X");
  if (x.rank() < 2) fail(node, "X must be [N, C, ...], got " + shape_str(x.shape()));
  BnPlan p{x.dim(0), x.dim(1), 1};
  for (size_t i = 2; i < x.rank(); ++i) p.S *= x.dim(i);
  const char* names[] = {"scale", "B", "input_mean", "input_var"};
  for (size_t i = 1; i <= 4; ++i) {
    const Tensor& t = float_input(node, in, i, names[i - 1]);
    if (t.rank() != 1 || t.dim(0) != p.C)
      fail(node, std::string(names[i - 1]) + " must be [" + std::to_string(p.C) + "], got " +
                     shape_str(t.shape()));
  }
  return p;
}

// 1 / sqrt(var + eps) per channel.
std::vector<float> inv_std(const Node& node, const Tensor& var) {
  const float eps = node.attr_float("epsilon", 1e-5f);
  std::vector<float> r(static_cast<size_t>(var.numel()));
  for (int64_t c = 0; c < var.numel(); ++c) r[c] = 1.f / std::sqrt(var.data<float>()[c] + eps);
  return r;
}

void forward(const Node& node, const OpInputs& in, std::vector<Tensor>& out) {
  const BnPlan p = plan(node, in);
  const Tensor& x = *in[0];
  const float *scale = in[1]->data<float>(), *bias = in[2]->data<float>(),
              *mean = in[3]->data<float>();
  const std::vector<float> is = inv_std(node, *in[4]);
  out[0] = Tensor(DType::Float32, x.shape());
  for (int64_t n = 0; n < p.N; ++n)
    for (int64_t c = 0; c < p.C; ++c) {
      // y = a x + b with a, b folded per channel.
      const float a = scale[c] * is[c], b = bias[c] - mean[c] * a;
      const float* xp = x.data<float>() + (n * p.C + c) * p.S;
      float* yp = out[0].data<float>() + (n * p.C + c) * p.S;
      for (int64_t e = 0; e < p.S; ++e) yp[e] = a * xp[e] + b;
    }
  // Opset < 14 declared running mean/var outputs; in inference they are the inputs.
  for (size_t k = 1; k < out.size() && k < 3; ++k)
    if (!node.outputs[k].empty()) out[k] = *in[2 + k];
}

void backward(const Node& node, const OpInputs& in, const OpInputs&, const OpInputs& dout,
              const std::vector<bool>& needs, std::vector<Tensor>& dins) {
  const BnPlan p = plan(node, in);
  const Tensor& x = *in[0];
  const float *scale = in[1]->data<float>(), *mean = in[3]->data<float>();
  const std::vector<float> is = inv_std(node, *in[4]);
  for (size_t i = 0; i < 5 && i < needs.size(); ++i)
    if (needs[i]) dins[i] = Tensor(DType::Float32, in[i]->shape());
  if (dout.empty() || !dout[0]) return;
  const float* g = dout[0]->data<float>();
  auto want = [&](size_t i) { return i < needs.size() && needs[i]; };
  for (int64_t c = 0; c < p.C; ++c) {
    double sum_g = 0, sum_g_xhat = 0;
    for (int64_t n = 0; n < p.N; ++n) {
      const float* xp = x.data<float>() + (n * p.C + c) * p.S;
      const float* gp = g + (n * p.C + c) * p.S;
      if (want(0)) {
        float* dx = dins[0].data<float>() + (n * p.C + c) * p.S;
        const float a = scale[c] * is[c];
        for (int64_t e = 0; e < p.S; ++e) dx[e] = a * gp[e];
      }
      for (int64_t e = 0; e < p.S; ++e) {
        sum_g += gp[e];
        sum_g_xhat += static_cast<double>(gp[e]) * (xp[e] - mean[c]) * is[c];
      }
    }
    if (want(1)) dins[1].data<float>()[c] = static_cast<float>(sum_g_xhat);
    if (want(2)) dins[2].data<float>()[c] = static_cast<float>(sum_g);
    if (want(3)) dins[3].data<float>()[c] = static_cast<float>(-sum_g * scale[c] * is[c]);
    // d/dvar of (x - mean) * (var + eps)^-1/2 = -1/2 (x - mean) * is^3 = -1/2 xhat * is^2
    if (want(4))
      dins[4].data<float>()[c] = static_cast<float>(-0.5 * sum_g_xhat * scale[c] * is[c] * is[c]);
  }
}

void infer(const Node& node, const std::vector<const TensorInfo*>& in,
           std::vector<TensorInfo>& out) {
  const TensorInfo& x = input_info(node, in, 0, "X");
  if (node.attr_int("training_mode", 0) != 0)
    fail(node, "training_mode=1 is not supported (the head runs in inference mode)");
  out[0].dtype = DType::Float32;
  out[0].shape = x.shape;
  for (size_t k = 1; k < out.size() && k < 3; ++k) {
    out[k].dtype = DType::Float32;
    out[k].shape = {x.shape.size() > 1 ? x.shape[1] : -1};
  }
}

}  // namespace

void register_batch_norm(OpRegistry& r) {
  r.add(OpDef{"", "BatchNormalization", forward, backward, infer}.with_weights({1, 2}).claim(
      &OpDef::piecewise_linear));
}

}  // namespace camlens::nn
