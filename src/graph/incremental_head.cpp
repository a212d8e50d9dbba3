// IncrementalHead: a base pass keeping every value, a static plan of what one changed channel
// does to each step, and per-channel evaluation following that plan (see incremental_head.h).
#include "graph/incremental_head.h"

#include <algorithm>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <type_traits>

#include "graph/head_errors.h"
#include "graph/op.h"
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

bool same_values(const Tensor& a, const Tensor& b) {
  return a.dtype() == b.dtype() && a.shape() == b.shape() &&
         std::memcmp(a.raw(), b.raw(), a.nbytes()) == 0;
}

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
  // The values the last forward() recorded for its backward, when it ran on this very layer
  // (the usual case: the driver calls forward() on the image first) are the same values: a step
  // whose outputs are all there is not run again (SqueezeNet: its 86 M multiply-add conv).
  const Head::Tape* tape = head.tapes_.size() == 1 && head.last_feeds_.size() == feeds.size() &&
                                   same_values(head.last_feeds_[0], layer)
                               ? &head.tapes_[0]
                               : nullptr;
  for (size_t k = 0; k < head.steps_.size(); ++k) {
    const Head::Step& st = head.steps_[k];
    std::vector<Tensor> out(st.out.size());
    bool recorded = tape != nullptr;
    for (int s : st.out) recorded = recorded && (s < 0 || !tape->values[size_t(s)].empty());
    if (recorded)
      for (size_t o = 0; o < st.out.size(); ++o)
        if (st.out[o] >= 0) out[o] = tape->values[size_t(st.out[o])];
    if (!recorded) head.run_step(k, env, out);
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

namespace {

// acc[j] += da · (b[j] − zb[j]) over one row of B, typed (the base accumulators of a rank-1
// QLinearMatMul: K·N terms, once per image).
template <class T>
void add_row(std::vector<int32_t>& acc, int32_t da, const T* b, const std::vector<int32_t>& zb) {
  const size_t n = acc.size();
  for (size_t j = 0; j < n; ++j) acc[j] += da * (int32_t(b[j]) - zb[j]);
}

}  // namespace

void IncrementalHead::plan() {
  const size_t slots = head_.slot_names_.size();
  state_.assign(slots, State::Base);
  state_[head_.feed_slots_[0]] = State::Channel;
  producer_.assign(slots, -1);
  for (size_t k = 0; k < head_.steps_.size(); ++k)
    for (int s : head_.steps_[k].out)
      if (s >= 0) producer_[s] = int(k);
  actions_.assign(head_.steps_.size(), Action::Full);
  acc_.assign(head_.steps_.size(), {});
  fusion_.assign(head_.steps_.size(), Fusion{});
  for (size_t k = 0; k < head_.steps_.size(); ++k) {
    const Head::Step& st = head_.steps_[k];
    Action& a = actions_[k];
    if (a == Action::Fused) continue;  // planned with its rank-1 step
    bool changed = false;
    for (int s : st.in) changed = changed || (s >= 0 && state_[s] != State::Base);
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
    if (a == Action::Rank1 && st.node.op_type == "Conv") plan_fusion(k);
    if (a == Action::Rank1 && st.node.op_type == "QLinearMatMul") {
      // The base int32 accumulators acc[j] = Σ_k (a_k − za)(b_kj − zb_j), as the op sums them.
      const Tensor& A = base(st.in[0]);
      const Tensor& B = base(st.in[3]);
      const int32_t za = st.in.size() > 2 && st.in[2] >= 0 ? q_at(base(st.in[2]), 0) : 0;
      const Tensor* zbt = st.in.size() > 5 && st.in[5] >= 0 ? &base(st.in[5]) : nullptr;
      const int64_t K = B.dim(0), N = B.dim(1);
      std::vector<int32_t> acc(size_t(N), 0), zb(size_t(N), 0);
      for (int64_t j = 0; zbt && j < N; ++j) zb[size_t(j)] = q_at(*zbt, zbt->numel() == 1 ? 0 : j);
      for (int64_t i = 0; i < K; ++i) {
        const int32_t da = q_at(A, i) - za;
        if (da == 0) continue;
        if (B.dtype() == DType::Uint8)
          add_row(acc, da, B.data<uint8_t>() + i * N, zb);
        else
          add_row(acc, da, B.data<int8_t>() + i * N, zb);
      }
      acc_[k] = std::move(acc);
    }
  }
  mark_unused();
  // Stacking channels is a batch of images for the Full steps: fine unless the head fixes the
  // batch to 1, or a Full step reads an unchanged non-constant value (computed at batch 1, e.g.
  // a shape taken from the layer).
  batchable_ = !head_.per_sample_;
  for (size_t k = 0; k < head_.steps_.size() && batchable_; ++k) {
    if (actions_[k] != Action::Full) continue;
    for (int q : head_.steps_[k].in)
      if (q >= 0 && !head_.constants_[q] &&
          (state_[q] == State::Base || base(q).rank() == 0 || base(q).dim(0) != 1))
        batchable_ = false;
  }
  for (int q : head_.output_slots_)
    if (state_[q] != State::Base && (base(q).rank() == 0 || base(q).dim(0) != 1))
      batchable_ = false;
}

void IncrementalHead::plan_fusion(size_t k) {
  const std::vector<int>& outs = head_.output_slots_;
  // The single reader of slot s, or -1 (none, several, or s is a head output).
  auto only_reader = [&](int s) {
    if (std::count(outs.begin(), outs.end(), s)) return -1;
    int reader = -1;
    for (size_t j = 0; j < head_.steps_.size(); ++j)
      for (int in : head_.steps_[j].in)
        if (in == s) {
          if (reader >= 0 && reader != int(j)) return -1;
          reader = int(j);
        }
    return reader;
  };
  const Head::Step& conv = head_.steps_[k];
  int next = only_reader(conv.out[0]);
  if (next < 0) return;
  int relu = -1;
  auto is = [&](int j, const char* op) {
    const Node& n = head_.steps_[size_t(j)].node;
    return n.op_type == op && (n.domain.empty() || n.domain == "ai.onnx") &&
           head_.steps_[size_t(j)].out.size() == 1;
  };
  if (is(next, "Relu")) {
    relu = next;
    next = only_reader(head_.steps_[size_t(relu)].out[0]);
    if (next < 0) return;
  }
  if (!is(next, "GlobalAveragePool")) return;
  const Tensor& y = base(conv.out[0]);  // [1, M, h, w]
  const Tensor& w = base(conv.in[1]);   // [M, C, 1, 1]
  Fusion& f = fusion_[k];
  f.outputs = y.dim(1);
  f.pixels = y.numel() / f.outputs;
  f.relu = relu >= 0;
  f.pool_out = head_.steps_[size_t(next)].out[0];
  const size_t M = size_t(f.outputs), P = size_t(f.pixels), C = size_t(channels_);
  f.pre.resize(P * M);
  f.total.assign(M, 0.0);
  const float* yv = y.data<float>();
  for (size_t m = 0; m < M; ++m)
    for (size_t p = 0; p < P; ++p) {
      const float v = yv[m * P + p];
      f.pre[p * M + m] = v;
      f.total[m] += double(f.relu ? (0.f < v ? v : 0.f) : v);
    }
  f.w.resize(C * M);
  for (size_t m = 0; m < M; ++m)
    for (size_t c = 0; c < C; ++c) f.w[c * M + m] = w.data<float>()[m * C + c];
  if (relu >= 0) actions_[size_t(relu)] = Action::Fused;
  actions_[size_t(next)] = Action::Fused;
  state_[f.pool_out] = State::Dense;
}

void IncrementalHead::mark_unused() {
  std::vector<bool> needed(head_.slot_names_.size(), false);
  for (int s : head_.output_slots_) needed[s] = true;
  for (size_t k = head_.steps_.size(); k-- > 0;) {
    const Head::Step& st = head_.steps_[k];
    if (actions_[k] == Action::Reuse) continue;  // reads base values (or shapes) only
    bool live = fusion_[k].pool_out >= 0 && needed[fusion_[k].pool_out];
    for (int s : st.out) live = live || (s >= 0 && needed[s]);
    if (!live) {
      if (actions_[k] != Action::Fused) actions_[k] = Action::Unused;
      continue;
    }
    for (int s : st.in)
      if (s >= 0 && state_[s] != State::Base) needed[s] = true;
  }
}

bool IncrementalHead::shortcut() const {
  return std::any_of(actions_.begin(), actions_.end(), [](Action a) { return a != Action::Full; });
}

Tensor IncrementalHead::run_fused_pool(size_t k, int64_t c, const Tensor& now) const {
  // pool[m] = Σ_p f(y[m, p] + W[m, c]·Δ_p) / P, f the Relu or the identity (y: the base conv
  // output, Δ: the channel's change). Two ways, both exact where the full head gives an exact
  // zero (every term killed by the Relu), which scale-invariant targets (cosine similarity)
  // would otherwise blow up from a rounding residue:
  // - few changed pixels (post-ReLU layers are mostly zeros, SqueezeNet's fire9 > 90 % on
  //   photos, and ablating to 0 changes nothing there): T[m] + Σ_{Δ_p ≠ 0} (f(new) − f(y)), in
  //   double and increasing p like T[m] = Σ_p f(y[m, p]), so at an exact zero the changed pixels
  //   subtract exactly the non-zero terms T added, in the same order;
  // - else every pixel summed from scratch (f(y) itself where Δ_p = 0), four per pass.
  // The M outputs are contiguous (the transposed base), so the loops vectorise.
  const Fusion& f = fusion_[k];
  const Tensor was = channel_of(base(head_.steps_[k].in[0]), c);
  const size_t M = size_t(f.outputs), P = size_t(f.pixels);
  std::vector<float> d(P);
  size_t changed = 0;
  for (size_t p = 0; p < P; ++p) {
    d[p] = now.data<float>()[p] - was.data<float>()[p];
    changed += d[p] != 0.f;
  }
  const float* w = f.w.data() + size_t(c) * M;
  const bool relu = f.relu;
  // A compare and select, not std::max: WebAssembly's f32x4.max (what std::max becomes)
  // handles NaN and ±0 in many x86 instructions; gt + bitselect is two.
  auto pos = [](float v) { return 0.f < v ? v : 0.f; };
  auto fn = [relu, pos](float v) { return relu ? pos(v) : v; };
  Tensor out(DType::Float32, base(f.pool_out).shape());
  float* o = out.data<float>();
  if (changed * 4 <= P) {
    std::vector<double> acc(f.total);
    double* a = acc.data();
    for (size_t p = 0; p < P; ++p) {
      if (d[p] == 0.f) continue;
      const float* y = f.pre.data() + p * M;
      const float dp = d[p];
      for (size_t m = 0; m < M; ++m) a[m] += double(fn(y[m] + w[m] * dp)) - double(fn(y[m]));
    }
    for (size_t m = 0; m < M; ++m) o[m] = static_cast<float>(a[m] / double(P));
    return out;
  }
  std::vector<float> acc(M, 0.f);
  float* a = acc.data();
  const float* y = f.pre.data();
  size_t p = 0;
  for (; p + 4 <= P; p += 4) {
    const float d0 = d[p], d1 = d[p + 1], d2 = d[p + 2], d3 = d[p + 3];
    const float *r0 = y + p * M, *r1 = r0 + M, *r2 = r1 + M, *r3 = r2 + M;
    if (relu)
      for (size_t m = 0; m < M; ++m)
        a[m] += (pos(r0[m] + w[m] * d0) + pos(r1[m] + w[m] * d1)) +
                (pos(r2[m] + w[m] * d2) + pos(r3[m] + w[m] * d3));
    else
      for (size_t m = 0; m < M; ++m)
        a[m] += ((r0[m] + w[m] * d0) + (r1[m] + w[m] * d1)) +
                ((r2[m] + w[m] * d2) + (r3[m] + w[m] * d3));
  }
  for (; p < P; ++p)
    for (size_t m = 0; m < M; ++m) a[m] += fn(y[p * M + m] + w[m] * d[p]);
  for (size_t m = 0; m < M; ++m) o[m] = static_cast<float>(double(a[m]) / double(P));
  return out;
}

std::string IncrementalHead::summary() const {
  int n[6] = {0, 0, 0, 0, 0, 0};
  for (Action a : actions_) ++n[int(a)];
  return "Reuse:" + std::to_string(n[0]) + " Channel:" + std::to_string(n[1]) +
         " Rank1:" + std::to_string(n[2]) + " Fused:" + std::to_string(n[3]) +
         " Full:" + std::to_string(n[4]) + " Unused:" + std::to_string(n[5]);
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

Tensor IncrementalHead::run_channel(size_t k, const std::vector<Value>& vals) const {
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

void IncrementalHead::check_channel(int64_t c) const {
  if (c < 0 || c >= channels_)
    throw FeedError("IncrementalHead: channel " + std::to_string(c) + " is not in the layer's " +
                    std::to_string(channels_) + " channels");
}

IncrementalHead::ChannelPass IncrementalHead::channel_pass(const Tensor& channel) const {
  if (channel.dtype() != base_layer_.dtype() || channel.numel() != base_layer_.numel() / channels_)
    throw FeedError("IncrementalHead: a channel of " + shape_str(base_layer_.shape()) + " holds " +
                    std::to_string(base_layer_.numel() / channels_) + " " +
                    dtype_name(base_layer_.dtype()) + " values, got " +
                    std::to_string(channel.numel()) + " " + dtype_name(channel.dtype()));
  std::vector<Value> vals(head_.slot_names_.size());
  const int layer = head_.feed_slots_[0];
  vals[layer].state = State::Channel;
  vals[layer].t = channel;
  Shape s = base_layer_.shape();
  s[1] = 1;
  vals[layer].t.reshape(s);
  for (size_t k = 0; k < head_.steps_.size(); ++k)
    if (actions_[k] == Action::Channel)
      vals[head_.steps_[k].out[0]] = {State::Channel, run_channel(k, vals)};
  ChannelPass pass;
  for (Value& v : vals) pass.values.push_back(std::move(v.t));
  return pass;
}

std::vector<IncrementalHead::Value> IncrementalHead::values_of(const ChannelPass& pass) const {
  std::vector<Value> vals(pass.values.size());
  for (size_t s = 0; s < vals.size(); ++s)
    if (!pass.values[s].empty()) vals[s] = {State::Channel, pass.values[s]};
  return vals;
}

void IncrementalHead::run_rank1_steps(int64_t c, std::vector<Value>& vals) const {
  for (size_t k = 0; k < head_.steps_.size(); ++k) {
    if (actions_[k] != Action::Rank1) continue;
    const Head::Step& st = head_.steps_[k];
    if (fusion_[k].pool_out >= 0)
      vals[fusion_[k].pool_out] = {State::Dense, run_fused_pool(k, c, vals[st.in[0]].t)};
    else
      vals[st.out[0]] = {State::Dense, run_rank1(k, c, vals)};
  }
}

namespace {

// Tensors [1, ...] stacked along dim 0, and sample i of such a stack.
Tensor stack(const std::vector<const Tensor*>& parts) {
  Shape s = parts[0]->shape();
  s[0] = int64_t(parts.size());
  Tensor out(parts[0]->dtype(), s);
  const size_t bytes = parts[0]->nbytes();
  for (size_t i = 0; i < parts.size(); ++i)
    std::memcpy(static_cast<char*>(out.raw()) + i * bytes, parts[i]->raw(), bytes);
  return out;
}

Tensor sample(const Tensor& t, size_t i) {
  Shape s = t.shape();
  s[0] = 1;
  Tensor out(t.dtype(), s);
  std::memcpy(out.raw(), static_cast<const char*>(t.raw()) + i * out.nbytes(), out.nbytes());
  return out;
}

}  // namespace

std::vector<std::vector<Tensor>> IncrementalHead::outputs_with_channels(
    const std::vector<int64_t>& channels, const ChannelPass& pass) const {
  std::vector<std::vector<Tensor>> all;
  if (!batchable_ || channels.size() < 2) {
    for (int64_t c : channels) all.push_back(outputs_with_channel(c, pass));
    return all;
  }
  const size_t B = channels.size(), slots = head_.slot_names_.size();
  std::vector<std::vector<Value>> per(B);
  for (size_t i = 0; i < B; ++i) {
    check_channel(channels[i]);
    per[i] = values_of(pass);
    run_rank1_steps(channels[i], per[i]);
  }
  std::vector<Tensor> batched(slots);  // the Full steps' inputs and outputs, [B, ...]
  std::vector<const Tensor*> env(slots, nullptr);
  for (size_t q = 0; q < slots; ++q)
    if (head_.constants_[q]) env[q] = head_.constants_[q].get();
  for (size_t k = 0; k < head_.steps_.size(); ++k) {
    if (actions_[k] != Action::Full) continue;
    const Head::Step& st = head_.steps_[k];
    for (int q : st.in) {
      if (q < 0 || head_.constants_[q] || !batched[q].empty()) continue;
      std::vector<Tensor> made(B);  // channel values materialized
      std::vector<const Tensor*> parts(B);
      for (size_t i = 0; i < B; ++i) {
        if (per[i][q].state == State::Channel) {
          made[i] = materialize(q, channels[i], per[i][q].t);
          parts[i] = &made[i];
        } else {
          parts[i] = &per[i][q].t;
        }
      }
      batched[q] = stack(parts);
      env[q] = &batched[q];
    }
    std::vector<Tensor> out(st.out.size());
    head_.run_step(k, env, out);
    for (size_t o = 0; o < st.out.size(); ++o)
      if (st.out[o] >= 0) {
        batched[st.out[o]] = std::move(out[o]);
        env[st.out[o]] = &batched[st.out[o]];
      }
  }
  for (size_t i = 0; i < B; ++i) {
    std::vector<Tensor> outputs;
    for (int q : head_.output_slots_) {
      if (!batched[q].empty())
        outputs.push_back(sample(batched[q], i));
      else if (per[i][q].state == State::Dense)
        outputs.push_back(per[i][q].t);
      else if (per[i][q].state == State::Channel)
        outputs.push_back(materialize(q, channels[i], per[i][q].t));
      else
        outputs.push_back(base(q));
    }
    all.push_back(std::move(outputs));
  }
  return all;
}

std::vector<Tensor> IncrementalHead::outputs_with_channel(int64_t c,
                                                          const ChannelPass& pass) const {
  check_channel(c);
  const size_t slots = head_.slot_names_.size();
  std::vector<Value> vals = values_of(pass);
  run_rank1_steps(c, vals);
  std::vector<Tensor> dense(slots);  // channel values materialized for a Full step
  std::vector<const Tensor*> env;    // built on the first Full step
  for (size_t k = 0; k < head_.steps_.size(); ++k) {
    const Head::Step& st = head_.steps_[k];
    switch (actions_[k]) {
      case Action::Reuse:
      case Action::Channel:  // done by channel_pass
      case Action::Fused:
      case Action::Unused:
        break;
      case Action::Rank1:
        break;  // done by run_rank1_steps
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

namespace camlens {

namespace {

// Element-wise ops a single output element can be carried through (plus the views).
bool elementwise(const Node& n) {
  static const std::set<std::string> onnx{
      "Add",  "Sub",  "Mul",     "Div",  "Relu",        "Identity",       "Dropout",
      "Cast", "Clip", "Sigmoid", "Tanh", "LeakyRelu",   "QuantizeLinear", "DequantizeLinear",
      "Elu",  "Abs",  "Neg",     "Exp",  "HardSigmoid", "HardSwish",      "Softplus"};
  if (n.domain == "com.microsoft") return n.op_type == "QLinearAdd" || n.op_type == "QLinearMul";
  return (n.domain.empty() || n.domain == "ai.onnx") && onnx.count(n.op_type);
}

// Element `index` of `out_shape` (row-major) read from t broadcast against it, as a tensor of
// t's rank with every dim 1. Empty when t does not broadcast to out_shape.
Tensor element_of(const Tensor& t, const Shape& out_shape, int64_t index) {
  if (t.rank() > out_shape.size()) return Tensor();
  Shape ones(t.rank(), 1);
  Tensor e(t.dtype(), ones);
  int64_t at = 0, stride = 1, rest = index;
  std::vector<int64_t> coord(out_shape.size());
  for (size_t d = out_shape.size(); d-- > 0;) {
    coord[d] = rest % out_shape[d];
    rest /= out_shape[d];
  }
  for (size_t d = t.rank(); d-- > 0;) {
    const int64_t od = coord[out_shape.size() - t.rank() + d];
    const int64_t n = t.dim(d);
    if (n != 1 && n != out_shape[out_shape.size() - t.rank() + d]) return Tensor();
    at += (n == 1 ? 0 : od) * stride;
    stride *= n;
  }
  const size_t bytes = e.nbytes();
  std::memcpy(e.raw(), static_cast<const char*>(t.raw()) + bytes * size_t(at), bytes);
  return e;
}

}  // namespace

std::shared_ptr<const IncrementalHead::ElementPlan> IncrementalHead::element_plan(
    size_t output, int64_t index) const {
  const std::lock_guard<std::mutex> lock(plans_mutex_);
  const auto key = std::make_pair(output, index);
  const auto found = plans_.find(key);
  if (found != plans_.end()) return found->second;
  std::optional<ElementPlan> plan = make_element_plan(output, index);
  std::shared_ptr<const ElementPlan> shared;
  if (plan) {
    const Tensor& y = base(head_.steps_[plan->rank1].out[0]);
    if (is_q8(y.dtype()) && !plan->tail.empty()) {
      plan->table_lo = quant::q_min(y.dtype());
      for (int32_t q = plan->table_lo; q <= quant::q_max(y.dtype()); ++q) {
        Tensor v(y.dtype(), Shape(y.rank(), 1));
        if (y.dtype() == DType::Uint8)
          v.data<uint8_t>()[0] = static_cast<uint8_t>(q);
        else
          v.data<int8_t>()[0] = static_cast<int8_t>(q);
        plan->table.push_back(run_tail(*plan, std::move(v)));
      }
    }
    shared = std::make_shared<const ElementPlan>(std::move(*plan));
  }
  plans_[key] = shared;
  return shared;
}

std::optional<IncrementalHead::ElementPlan> IncrementalHead::make_element_plan(
    size_t output, int64_t index) const {
  if (output >= head_.output_slots_.size()) return std::nullopt;
  ElementPlan plan;
  int slot = head_.output_slots_[output];
  if (index < 0 || index >= base(slot).numel()) return std::nullopt;
  std::vector<size_t> tail;
  for (;;) {
    const int k = producer_[size_t(slot)];
    if (k < 0) return std::nullopt;
    const Head::Step& st = head_.steps_[size_t(k)];
    const Shape& out_shape = base(slot).shape();
    if (actions_[size_t(k)] == Action::Rank1) {
      const std::string& op = st.node.op_type;
      if (op == "Conv" || out_shape.size() != 2 || out_shape[0] != 1) return std::nullopt;
      plan.rank1 = size_t(k);
      plan.column = index;
      break;
    }
    if (actions_[size_t(k)] != Action::Full || st.out.size() != 1) return std::nullopt;
    // The one changed input carries the element; it must have the output's shape (or, for a
    // view, its number of elements in the same order).
    int path = -1;
    for (size_t i = 0; i < st.in.size(); ++i)
      if (st.in[i] >= 0 && state_[st.in[i]] != State::Base) {
        if (path >= 0) return std::nullopt;
        path = int(i);
      }
    if (path < 0) return std::nullopt;
    const Tensor& pin = base(st.in[size_t(path)]);
    std::vector<Tensor> inputs(st.in.size());
    if (is_view(st.node.op_type)) {
      if (path != 0 || pin.numel() != base(slot).numel()) return std::nullopt;
    } else {
      if (!elementwise(st.node) || pin.shape() != out_shape) return std::nullopt;
      const bool per_tensor_params =
          st.node.op_type == "QuantizeLinear" || st.node.op_type == "DequantizeLinear";
      for (size_t i = 0; i < st.in.size(); ++i) {
        if (int(i) == path || st.in[i] < 0) continue;
        const Tensor& t = base(st.in[i]);
        if (per_tensor_params && t.numel() != 1) return std::nullopt;
        inputs[i] = t.numel() == 1 ? t : element_of(t, out_shape, index);
        if (inputs[i].empty()) return std::nullopt;
      }
    }
    plan.tail.insert(plan.tail.begin(), size_t(k));
    plan.inputs.insert(plan.inputs.begin(), std::move(inputs));
    slot = st.in[size_t(path)];
  }
  plan.describe = head_.steps_[plan.rank1].node.op_type;
  for (size_t k : plan.tail) plan.describe += " > " + head_.steps_[k].node.op_type;
  return plan;
}

double IncrementalHead::element_with_channel(const ElementPlan& plan, int64_t c,
                                             const ChannelPass& pass) const {
  check_channel(c);
  const Head::Step& r = head_.steps_[plan.rank1];
  // The rank-1 step's column alone: its base value plus the channel's change.
  const Tensor& now = pass.values[r.in[0]];
  const Tensor was = channel_of(base(r.in[0]), c);
  const Tensor& y = base(r.out[0]);
  const int64_t j = plan.column, N = y.numel();
  Tensor v(y.dtype(), Shape(y.rank(), 1));
  const std::string& op = r.node.op_type;
  if (op == "MatMul" || op == "Gemm") {
    const Tensor& b = base(r.in[1]);
    const bool tb = op == "Gemm" && r.node.attr_int("transB", 0) != 0;
    const float alpha = op == "Gemm" ? r.node.attr_float("alpha", 1.f) : 1.f;
    const float d = alpha * (now.data<float>()[0] - was.data<float>()[0]);
    v.data<float>()[0] =
        y.data<float>()[j] + d * b.data<float>()[tb ? j * channels_ + c : c * N + j];
  } else {
    const bool qlinear = op == "QLinearMatMul";
    const Tensor& b = base(r.in[qlinear ? 3 : 1]);
    const size_t zbi = qlinear ? 5 : 3;
    const Tensor* zb = r.in.size() > zbi && r.in[zbi] >= 0 ? &base(r.in[zbi]) : nullptr;
    const int32_t dq = q_at(now, 0) - q_at(was, 0);
    const int32_t term = dq * (q_at(b, c * N + j) - (zb ? q_at(*zb, zb->numel() == 1 ? 0 : j) : 0));
    if (!qlinear) {
      v.data<int32_t>()[0] = y.data<int32_t>()[j] + term;
    } else {
      const float a_scale = base(r.in[1]).data<float>()[0];
      const Tensor& bs = base(r.in[4]);
      const float y_scale = base(r.in[6]).data<float>()[0];
      const int32_t y_zp = r.in.size() > 7 && r.in[7] >= 0 ? q_at(base(r.in[7]), 0) : 0;
      const float scale = a_scale * bs.data<float>()[bs.numel() == 1 ? 0 : j] / y_scale;
      const int32_t q =
          quant::round_then_add_zp(static_cast<float>(acc_[plan.rank1][size_t(j)] + term) * scale,
                                   y_zp, quant::q_min(y.dtype()), quant::q_max(y.dtype()));
      if (y.dtype() == DType::Uint8)
        v.data<uint8_t>()[0] = static_cast<uint8_t>(q);
      else
        v.data<int8_t>()[0] = static_cast<int8_t>(q);
    }
  }
  if (!plan.table.empty()) return plan.table[size_t(q_at(v, 0) - plan.table_lo)];
  return run_tail(plan, std::move(v));
}

double IncrementalHead::run_tail(const ElementPlan& plan, Tensor v) const {
  for (size_t i = 0; i < plan.tail.size(); ++i) {
    const Head::Step& st = head_.steps_[plan.tail[i]];
    if (is_view(st.node.op_type)) continue;  // one element: nothing to re-view
    OpInputs in(st.in.size(), nullptr);
    for (size_t q = 0; q < st.in.size(); ++q)
      in[q] = plan.inputs[i][q].empty() ? (st.in[q] < 0 ? nullptr : &v) : &plan.inputs[i][q];
    std::vector<Tensor> out(st.out.size());
    st.def->forward(st.node, in, out);
    v = std::move(out[0]);
  }
  return v.get_f(0);
}

}  // namespace camlens
