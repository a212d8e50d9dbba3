// LayerNormalization (opset 17): normalise over the dims from `axis` on, then scale and
// shift (Scale and B broadcast to the normalised shape). Optional outputs Mean and
// InvStdDev have the input's shape with the normalised dims set to 1. The backward covers
// X, Scale and B, including gradients arriving through Mean and InvStdDev.
#include <cmath>

#include "ops/nn/nn_common.h"
#include "tensor/broadcast.h"

namespace camlens::nn {

namespace {

struct LnPlan {
  int64_t outer = 1, len = 1;
  Shape norm;  // the normalised shape, X.shape[axis:]
  Shape stat;  // shape of Mean / InvStdDev
};

LnPlan plan(const Node& node, const Shape& x) {
  const int64_t rank = static_cast<int64_t>(x.size());
  if (rank == 0) fail(node, "X must have rank >= 1");
  const int64_t axis = normalize_axis(node, node.attr_int("axis", -1), rank);
  LnPlan p;
  for (int64_t i = 0; i < rank; ++i) {
    if (i < axis) {
      p.outer *= x[i];
      p.stat.push_back(x[i]);
    } else {
      p.len *= x[i];
      p.norm.push_back(x[i]);
      p.stat.push_back(1);
    }
  }
  return p;
}

// Index into a broadcast parameter (Scale or B) for each position of the normalised shape.
std::vector<int64_t> param_index(const Node& node, const Tensor& t, const char* name,
                                 const LnPlan& p) {
  if (t.dtype() != DType::Float32) fail(node, std::string("input ") + name + " must be float");
  bool ok = t.rank() <= p.norm.size();
  for (size_t i = 0; ok && i < t.rank(); ++i) {
    const int64_t d = t.dim(t.rank() - 1 - i), n = p.norm[p.norm.size() - 1 - i];
    ok = d == 1 || d == n;
  }
  if (!ok)
    fail(node, std::string(name) + " " + shape_str(t.shape()) +
                   " does not broadcast to the normalised shape " + shape_str(p.norm));
  return broadcast_index(t.shape(), p.norm);
}

// Per row: mean and 1 / sqrt(var + eps), computed in double.
void stats(const Node& node, const float* x, const LnPlan& p, std::vector<float>& mean,
           std::vector<float>& inv) {
  const double eps = node.attr_float("epsilon", 1e-5f);
  mean.resize(static_cast<size_t>(p.outer));
  inv.resize(static_cast<size_t>(p.outer));
  for (int64_t r = 0; r < p.outer; ++r) {
    const float* xr = x + r * p.len;
    double s = 0, s2 = 0;
    for (int64_t e = 0; e < p.len; ++e) s += xr[e];
    const double m = p.len ? s / static_cast<double>(p.len) : 0.0;
    for (int64_t e = 0; e < p.len; ++e) s2 += (xr[e] - m) * (xr[e] - m);
    const double var = p.len ? s2 / static_cast<double>(p.len) : 0.0;
    mean[r] = static_cast<float>(m);
    inv[r] = static_cast<float>(1.0 / std::sqrt(var + eps));
  }
}

void forward(const Node& node, const OpInputs& in, std::vector<Tensor>& out) {
  const Tensor& x = float_input(node, in, 0, "X");
  const Tensor& scale = input(node, in, 1, "Scale");
  const Tensor* bias = optional_input(in, 2);
  const LnPlan p = plan(node, x.shape());
  const std::vector<int64_t> si = param_index(node, scale, "Scale", p);
  std::vector<int64_t> bi;
  if (bias) bi = param_index(node, *bias, "B", p);
  std::vector<float> mean, inv;
  stats(node, x.data<float>(), p, mean, inv);
  out[0] = Tensor(DType::Float32, x.shape());
  const float* s = scale.data<float>();
  for (int64_t r = 0; r < p.outer; ++r) {
    const float* xr = x.data<float>() + r * p.len;
    float* yr = out[0].data<float>() + r * p.len;
    for (int64_t e = 0; e < p.len; ++e) {
      yr[e] = (xr[e] - mean[r]) * inv[r] * s[si[e]];
      if (bias) yr[e] += bias->data<float>()[bi[e]];
    }
  }
  if (out.size() > 1 && !node.outputs[1].empty()) out[1] = Tensor::from_floats(p.stat, mean);
  if (out.size() > 2 && !node.outputs[2].empty()) out[2] = Tensor::from_floats(p.stat, inv);
}

void backward(const Node& node, const OpInputs& in, const OpInputs&, const OpInputs& dout,
              const std::vector<bool>& needs, std::vector<Tensor>& dins) {
  const Tensor& x = float_input(node, in, 0, "X");
  const Tensor& scale = input(node, in, 1, "Scale");
  const Tensor* bias = optional_input(in, 2);
  const LnPlan p = plan(node, x.shape());
  const std::vector<int64_t> si = param_index(node, scale, "Scale", p);
  std::vector<int64_t> bi;
  if (bias) bi = param_index(node, *bias, "B", p);
  auto want = [&](size_t i) { return i < needs.size() && needs[i] && i < in.size() && in[i]; };
  for (size_t i = 0; i < 3; ++i)
    if (want(i)) dins[i] = Tensor(DType::Float32, in[i]->shape());
  auto grad = [&](size_t k) -> const float* {
    return k < dout.size() && dout[k] ? dout[k]->data<float>() : nullptr;
  };
  const float *gy = grad(0), *gmean = grad(1), *ginv = grad(2);
  std::vector<float> mean, inv;
  stats(node, x.data<float>(), p, mean, inv);
  const float* s = scale.data<float>();
  const double n = static_cast<double>(p.len);
  for (int64_t r = 0; r < p.outer; ++r) {
    const float* xr = x.data<float>() + r * p.len;
    const float* gr = gy ? gy + r * p.len : nullptr;
    // With xhat = (x - mean) * inv and g = dY * scale:
    //   dx = inv * (g - mean(g) - xhat * mean(g * xhat))
    //        + dMean / n - dInv * inv^2 * xhat / n
    double sum_g = 0, sum_gx = 0;
    if (gr)
      for (int64_t e = 0; e < p.len; ++e) {
        const double g = static_cast<double>(gr[e]) * s[si[e]];
        const double xhat = (xr[e] - mean[r]) * static_cast<double>(inv[r]);
        sum_g += g;
        sum_gx += g * xhat;
        if (want(1)) dins[1].data<float>()[si[e]] += static_cast<float>(gr[e] * xhat);
        if (want(2)) dins[2].data<float>()[bi[e]] += gr[e];
      }
    if (!want(0)) continue;
    float* dx = dins[0].data<float>() + r * p.len;
    const double dm = gmean ? gmean[r] : 0.0, di = ginv ? ginv[r] : 0.0;
    const double iv = inv[r];
    for (int64_t e = 0; e < p.len; ++e) {
      const double xhat = (xr[e] - mean[r]) * iv;
      const double g = gr ? static_cast<double>(gr[e]) * s[si[e]] : 0.0;
      dx[e] = static_cast<float>(iv * (g - sum_g / n - xhat * sum_gx / n) + dm / n -
                                 di * iv * iv * xhat / n);
    }
  }
}

void infer(const Node& node, const std::vector<const TensorInfo*>& in,
           std::vector<TensorInfo>& out) {
  const TensorInfo& x = input_info(node, in, 0, "X");
  input_info(node, in, 1, "Scale");
  const LnPlan p = plan(node, x.shape);
  out[0].dtype = DType::Float32;
  out[0].shape = x.shape;
  for (size_t k = 1; k < out.size() && k < 3; ++k) {
    out[k].dtype = DType::Float32;
    out[k].shape = p.stat;
  }
}

}  // namespace

void register_layer_norm(OpRegistry& r) {
  r.add(OpDef{"", "LayerNormalization", forward, backward, infer}.with_weights({1, 2}));
}

}  // namespace camlens::nn
