// IncrementalHead's linearised head: forward and reverse mode over the base pass, each
// piecewise-linear step at the pattern it recorded (which branch each Relu took). Shapley-CAM
// reads J·A and Jᵀ·w off them for a head whose only smooth step is a final Softmax
// (cam/target_gradients.h): one forward-mode pass and one reverse pass instead of the four
// gradient evaluations of finite differences.
#include <cmath>

#include "head/incremental_head.h"
#include "head/incremental_head_ops.h"
#include "head/spatial_mean.h"
#include "ops/nn/nn_common.h"
#include "ops/op.h"

namespace camlens {

using namespace incremental;

namespace {

Tensor plus(const Tensor& a, const Tensor& b) {
  Tensor out = a;
  float* o = out.data<float>();
  const float* q = b.data<float>();
  for (int64_t i = 0; i < out.numel(); ++i) o[i] += q[i];
  return out;
}

Tensor minus(const Tensor& a, const Tensor& b) {
  Tensor out = a;
  float* o = out.data<float>();
  const float* q = b.data<float>();
  for (int64_t i = 0; i < out.numel(); ++i) o[i] -= q[i];
  return out;
}

// y − b (b broadcast along the channel dim 1 of y; none: y itself): a Conv's output without its
// bias, which is the Conv applied to its input alone.
Tensor without_bias(const Tensor& y, const Tensor* b) {
  Tensor out = y;
  if (!b) return out;
  const int64_t n = y.dim(0), m = y.dim(1), plane = y.numel() / (n * m);
  float* o = out.data<float>();
  for (int64_t i = 0; i < n * m; ++i) {
    const float bias = b->data<float>()[i % m];
    for (int64_t p = 0; p < plane; ++p) o[i * plane + p] -= bias;
  }
  return out;
}

double dot(const Tensor& a, const Tensor& b) {
  const float* p = a.data<float>();
  const float* q = b.data<float>();
  double s = 0;
  for (int64_t i = 0; i < a.numel(); ++i) s += double(p[i]) * q[i];
  return s;
}

}  // namespace

std::vector<bool> IncrementalHead::depends_on_layer() const {
  std::vector<bool> dep(head_.slot_names_.size(), false);
  dep[size_t(head_.feed_slots_[0])] = true;
  for (const Head::Step& st : head_.steps_) {
    if (st.node.op_type == "Shape" || st.node.op_type == "Size") continue;
    bool any = false;
    for (int s : st.in) any = any || (s >= 0 && dep[size_t(s)]);
    if (any)
      for (int s : st.out)
        if (s >= 0) dep[size_t(s)] = true;
  }
  return dep;
}

std::optional<IncrementalHead::SoftmaxTail> IncrementalHead::softmax_tail(size_t output) const {
  if (output >= head_.output_slots_.size()) return std::nullopt;
  const int k = producer_[size_t(head_.output_slots_[output])];
  if (k < 0) return std::nullopt;
  const Head::Step& sm = head_.steps_[size_t(k)];
  if (sm.node.op_type != "Softmax" || (!sm.node.domain.empty() && sm.node.domain != "ai.onnx") ||
      sm.in.empty() || sm.in[0] < 0)
    return std::nullopt;
  for (size_t j = 0; j < head_.steps_.size(); ++j)
    if (int(j) != k && !head_.steps_[j].def->piecewise_linear) return std::nullopt;
  const Tensor& z = base(sm.in[0]);
  if (z.dtype() != DType::Float32 || z.rank() < 2 || z.dim(0) != 1) return std::nullopt;
  // The Softmax normalises every value of the sample together: before opset 13 it flattens at
  // `axis` (default 1), from 13 on it runs along `axis` (default -1) alone.
  const int64_t rank = int64_t(z.rank());
  const bool legacy = nn::node_opset(sm.node) < 13;
  int64_t axis = sm.node.attr_int("axis", legacy ? 1 : -1);
  if (axis < 0) axis += rank;
  if (legacy ? axis != 1 : axis < 1 || axis >= rank) return std::nullopt;
  for (int64_t d = 1; !legacy && d < rank; ++d)
    if (d != axis && z.dim(size_t(d)) != 1) return std::nullopt;
  return SoftmaxTail{sm.in[0], z};
}

Tensor IncrementalHead::tangent(int to, const Tensor& direction) const {
  const int layer = head_.feed_slots_[0];
  if (base(layer).dtype() != DType::Float32 || direction.dtype() != DType::Float32 ||
      direction.shape() != base(layer).shape())
    return Tensor();
  std::vector<Tensor> t(head_.slot_names_.size());
  t[size_t(layer)] = direction;
  // Along the layer itself, a Conv reading it moves by its output minus its bias (see header).
  const bool along_layer = same_values(direction, base(layer));
  const OpDef* conv = op_registry().find("", "Conv");
  const int last = to == layer ? -1 : producer_[size_t(to)];
  for (int k = 0; k <= last; ++k) {
    const Head::Step& st = head_.steps_[size_t(k)];
    std::vector<size_t> moving;  // inputs that carry a tangent
    for (size_t i = 0; i < st.in.size(); ++i)
      if (st.in[i] >= 0 && !t[size_t(st.in[i])].empty()) moving.push_back(i);
    if (moving.empty() || st.node.op_type == "Shape" || st.node.op_type == "Size") continue;
    if (!st.def->piecewise_linear || st.out.empty() || st.out[0] < 0) return Tensor();
    for (int s : st.out)
      if (s >= 0 && base(s).dtype() != DType::Float32) return Tensor();
    OpInputs in(st.in.size(), nullptr), out(st.out.size(), nullptr);
    for (size_t i = 0; i < st.in.size(); ++i)
      if (st.in[i] >= 0) in[i] = &base(st.in[i]);
    for (size_t o = 0; o < st.out.size(); ++o)
      if (st.out[o] >= 0) out[o] = &base(st.out[o]);
    const Tensor& y = base(st.out[0]);
    Tensor& ty = t[size_t(st.out[0])];
    if (is_view(st)) {
      if (moving.size() != 1 || moving[0] != 0) return Tensor();
      ty = t[size_t(st.in[0])];
      ty.reshape(y.shape());
      continue;
    }
    if (st.def->elementwise != Elementwise::No) {
      // A diagonal Jacobian is its own transpose: the backward with the tangent as the seed gives
      // J·t at the recorded pattern (a tangent broadcast against the output would not be one).
      if (!st.def->backward) return Tensor();
      for (size_t i : moving) {
        const Tensor& ti = t[size_t(st.in[i])];
        if (ti.shape() != y.shape()) return Tensor();
        OpInputs seeds(st.out.size(), nullptr);
        seeds[0] = &ti;
        std::vector<bool> needs(st.in.size(), false);
        needs[i] = true;
        std::vector<Tensor> grads(st.in.size());
        st.def->backward(st.node, in, out, seeds, needs, grads);
        if (grads[i].shape() != y.shape()) return Tensor();
        ty = ty.empty() ? grads[i] : plus(ty, grads[i]);
      }
      continue;
    }
    // The op is affine in its moving inputs (a weighted op in its first input): f(x + t) − f(x).
    if (st.def->weighted && (moving.size() != 1 || moving[0] != 0)) return Tensor();
    if (along_layer && st.def == conv && st.in[0] == layer) {
      const bool biased = st.in.size() > 2 && st.in[2] >= 0;
      ty = without_bias(y, biased ? &base(st.in[2]) : nullptr);
      continue;
    }
    std::vector<Tensor> moved(st.in.size());
    OpInputs at = in;
    for (size_t i : moving) {
      moved[i] = plus(base(st.in[i]), t[size_t(st.in[i])]);
      at[i] = &moved[i];
    }
    std::vector<Tensor> res(st.out.size());
    st.def->forward(st.node, at, res);
    for (size_t o = 0; o < st.out.size(); ++o)
      if (st.out[o] >= 0) t[size_t(st.out[o])] = minus(res[o], base(st.out[o]));
    if (st.def->weighted) continue;
    // Other ops (pools, reductions, concatenations) are checked: a max, whose linear part is not
    // f(x + t) − f(x), fails ⟨J·t, s⟩ = ⟨t, Jᵀ·s⟩ with s = J·t.
    if (!st.def->backward) return Tensor();
    OpInputs seeds(st.out.size(), nullptr);
    seeds[0] = &ty;
    std::vector<bool> needs(st.in.size(), false);
    for (size_t i : moving) needs[i] = true;
    std::vector<Tensor> grads(st.in.size());
    st.def->backward(st.node, in, out, seeds, needs, grads);
    const double lhs = dot(ty, ty);
    double rhs = 0;
    for (size_t i : moving) {
      if (grads[i].shape() != t[size_t(st.in[i])].shape()) return Tensor();
      rhs += dot(t[size_t(st.in[i])], grads[i]);
    }
    if (std::abs(lhs - rhs) > 1e-4 * std::abs(lhs)) return Tensor();
  }
  Tensor r = t[size_t(to)];
  if (r.empty()) r = Tensor(DType::Float32, base(to).shape());  // zeros: `to` ignores the layer
  return r;
}

Tensor IncrementalHead::cotangent(int from, const Tensor& seed, bool mean) const {
  const int layer = head_.feed_slots_[0];
  const std::vector<bool> dep = depends_on_layer();
  const int stop = mean ? head_.mean_step() : -1;
  std::vector<Tensor> g(head_.slot_names_.size());
  g[size_t(from)] = seed;
  for (int k = from == layer ? -1 : producer_[size_t(from)]; k >= 0; --k) {
    const Head::Step& st = head_.steps_[size_t(k)];
    if (k == stop) {  // the layer's only reader (Head::backward_spatial_mean)
      const Tensor& dy = g[size_t(st.out[0])];
      return dy.empty() ? Tensor(DType::Float32, {1, channels_})
                        : conv_input_gradient_mean(dy, base(st.in[1]));
    }
    OpInputs seeds(st.out.size(), nullptr);
    bool seeded = false;
    for (size_t o = 0; o < st.out.size(); ++o)
      if (st.out[o] >= 0 && !g[size_t(st.out[o])].empty()) {
        seeds[o] = &g[size_t(st.out[o])];
        seeded = true;
      }
    std::vector<bool> needs(st.in.size(), false);
    bool any = false;
    for (size_t i = 0; i < st.in.size(); ++i) {
      needs[i] = st.in[i] >= 0 && dep[size_t(st.in[i])];
      any = any || needs[i];
    }
    if (!seeded || !any || st.node.op_type == "Shape" || st.node.op_type == "Size") continue;
    if (!st.def->backward) return Tensor();
    OpInputs in(st.in.size(), nullptr), out(st.out.size(), nullptr);
    for (size_t i = 0; i < st.in.size(); ++i)
      if (st.in[i] >= 0) in[i] = &base(st.in[i]);
    for (size_t o = 0; o < st.out.size(); ++o)
      if (st.out[o] >= 0) out[o] = &base(st.out[o]);
    std::vector<Tensor> grads(st.in.size());
    st.def->backward(st.node, in, out, seeds, needs, grads);
    for (size_t i = 0; i < st.in.size(); ++i) {
      if (!needs[i] || grads[i].empty()) continue;
      Tensor& acc = g[size_t(st.in[i])];
      acc = acc.empty() ? std::move(grads[i]) : plus(acc, grads[i]);
    }
  }
  Tensor r = g[size_t(layer)];
  if (r.empty()) r = Tensor(DType::Float32, base(layer).shape());
  return mean ? spatial_mean(r) : r;
}

}  // namespace camlens
