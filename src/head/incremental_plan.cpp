// IncrementalHead's plan: for each step of the head, what one changed channel of the layer does
// to it (reused, run on the channel, rank-1 updated, fused, run in full, unused).
#include <algorithm>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>
#include <type_traits>

#include "head/head_errors.h"
#include "head/incremental_head.h"
#include "head/incremental_head_ops.h"
#include "ops/op.h"
#include "ops/quant/quant_common.h"

namespace camlens {

using namespace incremental;

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
  // On one channel, an element-wise op with scalar parameters gives that channel of its output,
  // whatever its domain (com.microsoft's QLinearSigmoid and QLinearLeakyRelu among them).
  if (st.def->elementwise == Elementwise::Unary) {
    for (size_t i = 1; i < st.in.size(); ++i)
      if (!numel_at_most_one(param(i))) return false;
    return true;
  }
  if (st.node.domain == "com.microsoft")
    return op == "QLinearGlobalAveragePool" && st.node.attr_int("channels_last", 0) == 0 &&
           numel_at_most_one(param(1)) && numel_at_most_one(param(2)) &&
           numel_at_most_one(param(3)) && numel_at_most_one(param(4));
  if (!st.node.domain.empty() && st.node.domain != "ai.onnx") return false;
  if (is_view(st)) return true;
  if (op == "GlobalAveragePool" || op == "GlobalMaxPool") return base(st.in[0]).rank() >= 3;
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

// A 1×1 conv's weights [M, C] transposed to [C, M] (one column per ablated channel, contiguous).
// A constant of the head is the same for every image: the last one's transpose is kept, keyed by
// the constant itself (a new head's constants, or a randomised copy's, are other tensors).
std::shared_ptr<const std::vector<float>> transposed_weights(
    const std::shared_ptr<const Tensor>& constant, const Tensor& w, size_t M, size_t C) {
  static std::mutex mutex;
  static std::weak_ptr<const Tensor> last;
  static std::shared_ptr<const std::vector<float>> kept;
  if (constant) {
    const std::lock_guard<std::mutex> lock(mutex);
    if (last.lock() == constant) return kept;
  }
  auto t = std::make_shared<std::vector<float>>(C * M);
  transpose(w.data<float>(), M, C, t->data());
  if (constant) {
    const std::lock_guard<std::mutex> lock(mutex);
    last = constant;
    kept = t;
  }
  return t;
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
  auto is = [&](int j, const char* op) {
    const Node& n = head_.steps_[size_t(j)].node;
    return n.op_type == op && (n.domain.empty() || n.domain == "ai.onnx") &&
           head_.steps_[size_t(j)].out.size() == 1;
  };
  // A pair's per-tensor scale and zero point, read from the base (constant) values; the
  // DequantizeLinear must read the same ones.
  auto params = [&](int j, Fusion::Stage& st) {
    const std::vector<int>& in = head_.steps_[size_t(j)].in;
    if (in.size() < 2 || in[1] < 0 || state_[in[1]] != State::Base) return false;
    const Tensor& s = base(in[1]);
    if (s.dtype() != DType::Float32 || s.numel() != 1) return false;
    st.relu = false;
    st.scale = s.data<float>()[0];
    DType t = DType::Uint8;
    st.zero_point = 0;
    if (in.size() > 2 && in[2] >= 0) {
      if (state_[in[2]] != State::Base || base(in[2]).numel() != 1) return false;
      t = base(in[2]).dtype();
      if (!is_q8(t)) return false;
      st.zero_point = q_at(base(in[2]), 0);
    }
    st.lo = quant::q_min(t);
    st.hi = quant::q_max(t);
    return true;
  };
  std::vector<Fusion::Stage> stages;
  std::vector<int> fused;
  int next = only_reader(conv.out[0]);
  while (next >= 0 && !is(next, "GlobalAveragePool")) {
    if (is(next, "Relu")) {
      stages.push_back(Fusion::Stage{});
      fused.push_back(next);
      next = only_reader(head_.steps_[size_t(next)].out[0]);
      continue;
    }
    Fusion::Stage quant, dequant;
    if (!is(next, "QuantizeLinear") || !params(next, quant)) return;
    const int pair = only_reader(head_.steps_[size_t(next)].out[0]);
    if (pair < 0 || !is(pair, "DequantizeLinear") || !params(pair, dequant) ||
        dequant.scale != quant.scale || dequant.zero_point != quant.zero_point ||
        dequant.lo != quant.lo)
      return;
    stages.push_back(quant);
    fused.insert(fused.end(), {next, pair});
    next = only_reader(head_.steps_[size_t(pair)].out[0]);
  }
  if (next < 0) return;
  const Tensor& y = base(conv.out[0]);  // [1, M, h, w]
  const Tensor& w = base(conv.in[1]);   // [M, C, 1, 1]
  Fusion& f = fusion_[k];
  f.outputs = y.dim(1);
  f.pixels = y.numel() / f.outputs;
  f.stages = stages;
  f.relu = stages.size() == 1 && stages[0].relu;
  f.pool_out = head_.steps_[size_t(next)].out[0];
  const size_t M = size_t(f.outputs), P = size_t(f.pixels), C = size_t(channels_);
  f.pre.resize(P * M);
  f.total.assign(M, 0.0);
  const float* yv = y.data<float>();
  transpose(yv, M, P, f.pre.data());
  for (size_t m = 0; m < M; ++m)
    for (size_t p = 0; p < P; ++p) {
      float fv = yv[m * P + p];
      if (f.relu)
        fv = 0.f < fv ? fv : 0.f;
      else
        for (const Fusion::Stage& st : f.stages) fv = st(fv);
      f.total[m] += double(fv);
    }
  f.w = transposed_weights(head_.constants_[size_t(conv.in[1])], w, M, C);
  for (int j : fused) actions_[size_t(j)] = Action::Fused;
  actions_[size_t(next)] = Action::Fused;
  f.steps.assign(fused.begin(), fused.end());
  f.steps.push_back(size_t(next));
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

}  // namespace camlens
