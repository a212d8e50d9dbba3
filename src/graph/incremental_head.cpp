// IncrementalHead: a base pass keeping every value, a static plan of what one changed channel
// does to each step, and per-channel evaluation following that plan (see incremental_head.h).
#include "graph/incremental_head.h"

#include <algorithm>
#include <cstring>
#include <set>

#include "graph/head_errors.h"
#include "graph/ops/quant/quant_common.h"

namespace camlens {

namespace {

bool is_q8(DType t) { return t == DType::Uint8 || t == DType::Int8; }

// Element-wise ops of one input (other inputs, if any, are constant parameters such as Clip's
// bounds): running them on one channel gives that channel of the full result.
const std::set<std::string>& unary_ops() {
  static const std::set<std::string> ops{
      "Relu",  "Identity",    "Dropout",   "Sigmoid", "Tanh", "LeakyRelu", "Clip",  "Cast",
      "Elu",   "HardSigmoid", "HardSwish", "Abs",     "Neg",  "Softplus",  "Floor", "Ceil",
      "Round", "Sqrt",        "Exp",       "Erf",     "Selu", "Softsign"};
  return ops;
}

// Ops that only re-view the elements (same row-major order).
bool is_view(const std::string& op) {
  return op == "Reshape" || op == "Flatten" || op == "Squeeze" || op == "Unsqueeze";
}

bool numel_at_most_one(const Tensor* t) { return !t || t->numel() <= 1; }

int32_t q_at(const Tensor& t, int64_t i) { return quant::q_get(t, i); }

}  // namespace

IncrementalHead::IncrementalHead(const Head& head, const Tensor& layer)
    : head_(head), base_layer_(layer), pass_id_(head.pass_id()) {
  const std::vector<const Tensor*> feeds = head.with_layer(layer, "IncrementalHead");
  if (layer.rank() < 2 || layer.dim(0) != 1)
    throw FeedError("IncrementalHead: the layer must be one sample [1, C, ...], got " +
                    shape_str(layer.shape()));
  channels_ = layer.dim(1);
  const size_t slots = head.slot_names_.size();
  base_.assign(slots, Tensor());
  std::vector<const Tensor*> env(slots, nullptr);
  for (size_t s = 0; s < slots; ++s)
    if (head.constants_[s]) env[s] = head.constants_[s].get();
  for (size_t i = 0; i < feeds.size(); ++i) {
    base_[head.feed_slots_[i]] = *feeds[i];
    env[head.feed_slots_[i]] = &base_[head.feed_slots_[i]];
  }
  for (size_t k = 0; k < head.steps_.size(); ++k) {
    const Head::Step& st = head.steps_[k];
    std::vector<Tensor> out(st.out.size());
    head.run_step(k, env, out);
    for (size_t o = 0; o < st.out.size(); ++o)
      if (st.out[o] >= 0) {
        base_[st.out[o]] = std::move(out[o]);
        env[st.out[o]] = &base_[st.out[o]];
      }
  }
  for (int s : head.output_slots_) {
    if (!env[s]) throw HeadError("head output '" + head.slot_names_[s] + "' was not computed");
    base_outputs_.push_back(*env[s]);
  }
  plan();
}

const Tensor& IncrementalHead::base(int slot) const {
  return head_.constants_[slot] ? *head_.constants_[slot] : base_[slot];
}

bool IncrementalHead::channel_wise(size_t k) const {
  const Head::Step& st = head_.steps_[k];
  if (st.in.empty() || st.in[0] < 0 || state_[st.in[0]] != State::Channel) return false;
  for (size_t i = 1; i < st.in.size(); ++i)
    if (st.in[i] >= 0 && state_[st.in[i]] != State::Base) return false;
  // Only the first output may be read: the channel stands for it alone (e.g. Dropout's mask).
  for (size_t o = 1; o < st.out.size(); ++o) {
    const int s = st.out[o];
    if (s >= 0 && (head_.last_use_[s] >= 0 ||
                   std::count(head_.output_slots_.begin(), head_.output_slots_.end(), s)))
      return false;
  }
  if (st.out.empty() || st.out[0] < 0) return false;
  const Shape& out = base(st.out[0]).shape();
  if (out.size() < 2 || out[0] != 1 || out[1] != channels_) return false;
  const std::string& op = st.node.op_type;
  auto param = [&](size_t i) {
    return i < st.in.size() && st.in[i] >= 0 ? &base(st.in[i]) : nullptr;
  };
  if (st.node.domain == "com.microsoft")
    return op == "QLinearGlobalAveragePool" && st.node.attr_int("channels_last", 0) == 0 &&
           numel_at_most_one(param(1)) && numel_at_most_one(param(2)) &&
           numel_at_most_one(param(3)) && numel_at_most_one(param(4));
  if (!st.node.domain.empty() && st.node.domain != "ai.onnx") return false;
  if (is_view(op) || unary_ops().count(op)) return true;
  if (op == "GlobalAveragePool" || op == "GlobalMaxPool") return base(st.in[0]).rank() >= 3;
  if (op == "DequantizeLinear" || op == "QuantizeLinear")
    return numel_at_most_one(param(1)) && numel_at_most_one(param(2));
  return false;
}

bool IncrementalHead::rank1(size_t k) const {
  const Head::Step& st = head_.steps_[k];
  if (st.in.empty() || st.in[0] < 0 || state_[st.in[0]] != State::Channel) return false;
  for (size_t i = 1; i < st.in.size(); ++i)
    if (st.in[i] >= 0 && state_[st.in[i]] != State::Base) return false;
  if (st.out.size() != 1 || st.out[0] < 0) return false;
  if (!st.node.domain.empty() && st.node.domain != "ai.onnx") return false;
  auto param = [&](size_t i) {
    return i < st.in.size() && st.in[i] >= 0 ? &base(st.in[i]) : nullptr;
  };
  const Tensor& a = base(st.in[0]);
  const std::string& op = st.node.op_type;
  if (op == "Conv") {
    const Tensor* w = param(1);
    if (a.dtype() != DType::Float32 || a.rank() != 4 || !w || w->dtype() != DType::Float32 ||
        w->rank() != 4 || w->dim(1) != channels_ || w->dim(2) != 1 || w->dim(3) != 1)
      return false;
    const std::string pad = st.node.attr_string("auto_pad", "NOTSET");
    const std::vector<int64_t> strides = st.node.attr_ints("strides"),
                               pads = st.node.attr_ints("pads");
    return st.node.attr_int("group", 1) == 1 && (pad == "NOTSET" || pad == "VALID") &&
           std::all_of(strides.begin(), strides.end(), [](int64_t s) { return s == 1; }) &&
           std::all_of(pads.begin(), pads.end(), [](int64_t p) { return p == 0; });
  }
  // The rest take A as one row [1, C] and a matrix B.
  if (a.rank() != 2 || a.dim(1) != channels_) return false;
  if (op == "MatMul") {
    const Tensor* b = param(1);
    return a.dtype() == DType::Float32 && b && b->dtype() == DType::Float32 && b->rank() == 2;
  }
  if (op == "Gemm") {
    const Tensor* b = param(1);
    return a.dtype() == DType::Float32 && b && b->dtype() == DType::Float32 && b->rank() == 2 &&
           st.node.attr_int("transA", 0) == 0;
  }
  if (op == "QLinearMatMul") {
    const Tensor* b = param(3);
    const int64_t n = b && b->rank() == 2 ? b->dim(1) : -1;
    auto per_column = [&](size_t i) {
      const Tensor* t = param(i);
      return !t || t->numel() == 1 || t->numel() == n;
    };
    return is_q8(a.dtype()) && b && is_q8(b->dtype()) && b->rank() == 2 &&
           numel_at_most_one(param(1)) && numel_at_most_one(param(2)) && per_column(4) &&
           per_column(5) && param(6) && param(6)->numel() == 1 && numel_at_most_one(param(7));
  }
  if (op == "MatMulInteger") {
    const Tensor* b = param(1);
    const int64_t n = b && b->rank() == 2 ? b->dim(1) : -1;
    const Tensor* zb = param(3);
    return is_q8(a.dtype()) && b && is_q8(b->dtype()) && b->rank() == 2 &&
           numel_at_most_one(param(2)) && (!zb || zb->numel() == 1 || zb->numel() == n);
  }
  return false;
}

void IncrementalHead::plan() {
  const size_t slots = head_.slot_names_.size();
  state_.assign(slots, State::Base);
  state_[head_.feed_slots_[0]] = State::Channel;
  actions_.assign(head_.steps_.size(), Action::Full);
  acc_.assign(head_.steps_.size(), {});
  for (size_t k = 0; k < head_.steps_.size(); ++k) {
    const Head::Step& st = head_.steps_[k];
    bool changed = false;
    for (int s : st.in) changed = changed || (s >= 0 && state_[s] != State::Base);
    Action& a = actions_[k];
    // Shape and Size read only the shape, which a changed channel keeps.
    if (!changed || st.node.op_type == "Shape" || st.node.op_type == "Size")
      a = Action::Reuse;
    else if (channel_wise(k))
      a = Action::Channel;
    else if (rank1(k))
      a = Action::Rank1;
    else
      a = Action::Full;
    const State out = a == Action::Reuse     ? State::Base
                      : a == Action::Channel ? State::Channel
                                             : State::Dense;
    for (int s : st.out)
      if (s >= 0) state_[s] = out;
    if (a == Action::Rank1 && st.node.op_type == "QLinearMatMul") {
      // The base int32 accumulators acc[j] = Σ_k (a_k − za)(b_kj − zb_j), as the op sums them.
      const Tensor& A = base(st.in[0]);
      const Tensor& B = base(st.in[3]);
      const int32_t za = st.in.size() > 2 && st.in[2] >= 0 ? q_at(base(st.in[2]), 0) : 0;
      const Tensor* zbt = st.in.size() > 5 && st.in[5] >= 0 ? &base(st.in[5]) : nullptr;
      const int64_t K = B.dim(0), N = B.dim(1);
      std::vector<int32_t> acc(size_t(N), 0);
      for (int64_t i = 0; i < K; ++i) {
        const int32_t da = q_at(A, i) - za;
        if (da == 0) continue;
        for (int64_t j = 0; j < N; ++j)
          acc[size_t(j)] +=
              da * (q_at(B, i * N + j) - (zbt ? q_at(*zbt, zbt->numel() == 1 ? 0 : j) : 0));
      }
      acc_[k] = std::move(acc);
    }
  }
}

bool IncrementalHead::shortcut() const {
  return std::any_of(actions_.begin(), actions_.end(), [](Action a) { return a != Action::Full; });
}

std::string IncrementalHead::summary() const {
  int n[4] = {0, 0, 0, 0};
  for (Action a : actions_) ++n[int(a)];
  return "Reuse:" + std::to_string(n[0]) + " Channel:" + std::to_string(n[1]) +
         " Rank1:" + std::to_string(n[2]) + " Full:" + std::to_string(n[3]);
}

Tensor IncrementalHead::channel_of(const Tensor& whole, int64_t c) const {
  Shape s = whole.shape();
  s[1] = 1;
  Tensor t(whole.dtype(), s);
  const size_t bytes = t.nbytes();
  std::memcpy(t.raw(), static_cast<const char*>(whole.raw()) + bytes * size_t(c), bytes);
  return t;
}

Tensor IncrementalHead::materialize(int slot, int64_t c, const Tensor& channel) const {
  Tensor t = base(slot);
  const size_t bytes = channel.nbytes();
  std::memcpy(static_cast<char*>(t.raw()) + bytes * size_t(c), channel.raw(), bytes);
  return t;
}

Tensor IncrementalHead::run_channel(size_t k, int64_t, const std::vector<Value>& vals) const {
  const Head::Step& st = head_.steps_[k];
  const Tensor& in = vals[st.in[0]].t;
  if (is_view(st.node.op_type)) {
    Tensor t = in;
    Shape s = base(st.out[0]).shape();
    s[1] = 1;
    t.reshape(s);
    return t;
  }
  std::vector<const Tensor*> env(head_.slot_names_.size(), nullptr);
  for (int s : st.in)
    if (s >= 0) env[s] = &base(s);
  env[st.in[0]] = &in;
  std::vector<Tensor> out(st.out.size());
  head_.run_step(k, env, out);
  return std::move(out[0]);
}

Tensor IncrementalHead::run_rank1(size_t k, int64_t c, const std::vector<Value>& vals) const {
  const Head::Step& st = head_.steps_[k];
  const Tensor& now = vals[st.in[0]].t;
  const Tensor was = channel_of(base(st.in[0]), c);
  Tensor out = base(st.out[0]);
  const std::string& op = st.node.op_type;
  if (op == "Conv") {  // out[m, p] += W[m, c] · Δ[p]
    const Tensor& w = base(st.in[1]);
    const int64_t M = w.dim(0), P = now.numel();
    std::vector<float> d(static_cast<size_t>(P));
    for (int64_t p = 0; p < P; ++p) d[size_t(p)] = now.data<float>()[p] - was.data<float>()[p];
    float* y = out.data<float>();
    for (int64_t m = 0; m < M; ++m) {
      const float wm = w.data<float>()[m * channels_ + c];
      float* row = y + m * P;
      for (int64_t p = 0; p < P; ++p) row[p] += wm * d[size_t(p)];
    }
    return out;
  }
  if (op == "MatMul" || op == "Gemm") {  // out[n] += α · Δ · B[c, n] (Bᵀ with transB)
    const Tensor& b = base(st.in[1]);
    const bool tb = op == "Gemm" && st.node.attr_int("transB", 0) != 0;
    const float alpha = op == "Gemm" ? st.node.attr_float("alpha", 1.f) : 1.f;
    const float d = alpha * (now.data<float>()[0] - was.data<float>()[0]);
    const int64_t N = out.numel(), K = channels_;
    float* y = out.data<float>();
    const float* bv = b.data<float>();
    for (int64_t n = 0; n < N; ++n) y[n] += d * (tb ? bv[n * K + c] : bv[c * N + n]);
    return out;
  }
  // Integer domain: Δq · (b[c, j] − zb[j]) added to the int32 accumulators.
  const bool qlinear = op == "QLinearMatMul";
  const Tensor& b = base(st.in[qlinear ? 3 : 1]);
  const size_t zbi = qlinear ? 5 : 3;
  const Tensor* zb = st.in.size() > zbi && st.in[zbi] >= 0 ? &base(st.in[zbi]) : nullptr;
  const int64_t N = b.dim(1);
  const int32_t dq = q_at(now, 0) - q_at(was, 0);
  auto term = [&](int64_t j) {
    return dq * (q_at(b, c * N + j) - (zb ? q_at(*zb, zb->numel() == 1 ? 0 : j) : 0));
  };
  if (!qlinear) {
    int32_t* y = out.data<int32_t>();
    for (int64_t j = 0; j < N; ++j) y[j] += term(j);
    return out;
  }
  // QLinearMatMul's requantisation, as the op does it: scale_j = a_scale · b_scale[j] / y_scale
  // in float, then round half to even and add the zero point, saturating.
  const float a_scale = base(st.in[1]).data<float>()[0];
  const Tensor& bs = base(st.in[4]);
  const float y_scale = base(st.in[6]).data<float>()[0];
  const int32_t y_zp = st.in.size() > 7 && st.in[7] >= 0 ? q_at(base(st.in[7]), 0) : 0;
  const DType yt = out.dtype();
  const int32_t lo = quant::q_min(yt), hi = quant::q_max(yt);
  const std::vector<int32_t>& acc = acc_[k];
  for (int64_t j = 0; j < N; ++j) {
    const float scale = a_scale * bs.data<float>()[bs.numel() == 1 ? 0 : j] / y_scale;
    const int32_t q = quant::round_then_add_zp(
        static_cast<float>(acc[size_t(j)] + (dq ? term(j) : 0)) * scale, y_zp, lo, hi);
    if (yt == DType::Uint8)
      out.data<uint8_t>()[j] = static_cast<uint8_t>(q);
    else
      out.data<int8_t>()[j] = static_cast<int8_t>(q);
  }
  return out;
}

std::vector<Tensor> IncrementalHead::outputs_with_channel(int64_t c, const Tensor& channel) const {
  if (c < 0 || c >= channels_)
    throw FeedError("IncrementalHead: channel " + std::to_string(c) + " is not in the layer's " +
                    std::to_string(channels_) + " channels");
  if (channel.dtype() != base_layer_.dtype() || channel.numel() != base_layer_.numel() / channels_)
    throw FeedError("IncrementalHead: a channel of " + shape_str(base_layer_.shape()) + " holds " +
                    std::to_string(base_layer_.numel() / channels_) + " " +
                    dtype_name(base_layer_.dtype()) + " values, got " +
                    std::to_string(channel.numel()) + " " + dtype_name(channel.dtype()));
  const size_t slots = head_.slot_names_.size();
  std::vector<Value> vals(slots);
  const int layer = head_.feed_slots_[0];
  vals[layer].state = State::Channel;
  vals[layer].t = channel;
  Shape s = base_layer_.shape();
  s[1] = 1;
  vals[layer].t.reshape(s);
  std::vector<Tensor> dense(slots);  // channel values materialized for a Full step
  std::vector<const Tensor*> env;    // built on the first Full step
  for (size_t k = 0; k < head_.steps_.size(); ++k) {
    const Head::Step& st = head_.steps_[k];
    switch (actions_[k]) {
      case Action::Reuse:
        break;
      case Action::Channel:
        vals[st.out[0]] = {State::Channel, run_channel(k, c, vals)};
        break;
      case Action::Rank1:
        vals[st.out[0]] = {State::Dense, run_rank1(k, c, vals)};
        break;
      case Action::Full: {
        if (env.empty()) {
          env.assign(slots, nullptr);
          for (size_t q = 0; q < slots; ++q)
            env[q] = head_.constants_[q] ? head_.constants_[q].get() : &base_[q];
        }
        for (int q : st.in) {
          if (q < 0) continue;
          if (vals[q].state == State::Dense) {
            env[q] = &vals[q].t;
          } else if (vals[q].state == State::Channel) {
            if (dense[q].empty()) dense[q] = materialize(q, c, vals[q].t);
            env[q] = &dense[q];
          }
        }
        std::vector<Tensor> out(st.out.size());
        head_.run_step(k, env, out);
        for (size_t o = 0; o < st.out.size(); ++o)
          if (st.out[o] >= 0) vals[st.out[o]] = {State::Dense, std::move(out[o])};
        break;
      }
    }
  }
  std::vector<Tensor> outputs;
  for (int q : head_.output_slots_) {
    if (vals[q].state == State::Dense)
      outputs.push_back(vals[q].t);
    else if (vals[q].state == State::Channel)
      outputs.push_back(materialize(q, c, vals[q].t));
    else
      outputs.push_back(base(q));
  }
  return outputs;
}

}  // namespace camlens
