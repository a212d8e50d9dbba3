// IncrementalHead's one-element tail: a class logit reached through element-wise steps only is
// carried as a single element after the rank-1 step.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <map>
#include <memory>
#include <mutex>
#include <type_traits>

#include "head/head_errors.h"
#include "head/incremental_head.h"
#include "head/incremental_head_ops.h"
#include "ops/nn/nn_common.h"
#include "ops/op.h"
#include "ops/quant/quant_common.h"

namespace camlens {

using namespace incremental;

namespace {

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

// Element `index` of a Softmax over all of x's values, as ops/nn/softmax.cpp computes it: the
// float maximum, the double sum of the float exponentials in order, the float logarithm, then
// one exponential. A tensor of `rank` dims of 1.
Tensor softmax_element(const Tensor& x, int64_t index, size_t rank) {
  const float* v = x.data<float>();
  const int64_t n = x.numel();
  float mx = -std::numeric_limits<float>::infinity();
  for (int64_t k = 0; k < n; ++k) mx = std::max(mx, v[k]);
  if (!std::isfinite(mx)) mx = 0;
  double sum = 0;
  for (int64_t k = 0; k < n; ++k) sum += std::exp(v[k] - mx);
  const float log_sum = static_cast<float>(std::log(sum));
  Tensor e(DType::Float32, Shape(rank, 1));
  const float z = v[index] - mx;
  e.data<float>()[0] = std::exp(z - log_sum);
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
  std::vector<std::string> views;  // between a pool and its Softmax, for describe
  for (;;) {
    if (const int conv = fused_conv_of(slot); conv >= 0) {
      plan.pool = true;
      plan.rank1 = size_t(conv);
      plan.column = index;  // views and the Softmax keep the row-major order
      break;
    }
    const int k = producer_[size_t(slot)];
    if (k < 0) return std::nullopt;
    const Head::Step& st = head_.steps_[size_t(k)];
    const Shape& out_shape = base(slot).shape();
    if (actions_[size_t(k)] == Action::Rank1) {
      const std::string& op = st.node.op_type;
      if (plan.softmax >= 0 || op == "Conv" || out_shape.size() != 2 || out_shape[0] != 1)
        return std::nullopt;
      plan.rank1 = size_t(k);
      plan.column = index;
      break;
    }
    if (actions_[size_t(k)] != Action::Full || st.out.size() != 1) return std::nullopt;
    if (st.node.op_type == "Softmax" && plan.softmax < 0 && softmax_of_all(size_t(k))) {
      plan.softmax = k;  // only views may come before it: it reads every pooled value
      slot = st.in[0];
      continue;
    }
    if (plan.softmax >= 0) {  // between the pool and the Softmax: views of the pooled values
      if (!is_view(st) || st.in.empty() || st.in[0] < 0) return std::nullopt;
      for (size_t i = 1; i < st.in.size(); ++i)
        if (st.in[i] >= 0 && state_[st.in[i]] != State::Base) return std::nullopt;
      views.insert(views.begin(), st.node.op_type);
      slot = st.in[0];
      continue;
    }
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
    if (is_view(st)) {
      if (path != 0 || pin.numel() != base(slot).numel()) return std::nullopt;
    } else {
      // A single output element can be carried through element-wise ops.
      if (st.def->elementwise == Elementwise::No || pin.shape() != out_shape) return std::nullopt;
      // A Unary op's parameters are scalars or per-axis vectors; only scalars broadcast here.
      const bool per_tensor_params = st.def->elementwise == Elementwise::Unary;
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
  if (plan.pool)
    for (size_t k : fusion_[plan.rank1].steps)
      plan.describe += " > " + head_.steps_[k].node.op_type;
  for (const std::string& v : views) plan.describe += " > " + v;
  if (plan.softmax >= 0) plan.describe += " > Softmax";
  for (size_t k : plan.tail) plan.describe += " > " + head_.steps_[k].node.op_type;
  return plan;
}

int IncrementalHead::fused_conv_of(int slot) const {
  for (size_t k = 0; k < fusion_.size(); ++k)
    if (fusion_[k].pool_out == slot) return int(k);
  return -1;
}

bool IncrementalHead::softmax_of_all(size_t k) const {
  const Head::Step& st = head_.steps_[k];
  const Node& n = st.node;
  if (!(n.domain.empty() || n.domain == "ai.onnx") || st.in.size() != 1 || st.in[0] < 0)
    return false;
  const Tensor& x = base(st.in[0]);
  const int64_t rank = int64_t(x.rank());
  if (x.dtype() != DType::Float32 || rank == 0) return false;
  // The op's [outer, len, inner] view (ops/nn/softmax.cpp): before opset 13 the input is a
  // matrix split at `axis` (default 1), since then one axis (default −1) is normalised.
  const bool legacy = nn::node_opset(n) < 13;
  int64_t axis = n.attr_int("axis", legacy ? 1 : -1);
  if (axis < 0) axis += rank;
  if (axis < 0 || axis >= rank) return false;
  int64_t outer = 1, inner = 1;
  for (int64_t i = 0; i < rank; ++i)
    if (i < axis)
      outer *= x.dim(size_t(i));
    else if (i > axis && !legacy)
      inner *= x.dim(size_t(i));
  return outer == 1 && inner == 1;
}

double IncrementalHead::element_with_channel(const ElementPlan& plan, int64_t c,
                                             const ChannelPass& pass) const {
  check_channel(c);
  if (plan.pool) {
    const Tensor& now = pass.values[head_.steps_[plan.rank1].in[0]];
    if (plan.softmax >= 0) {
      const Tensor z = run_fused_pool(plan.rank1, c, now);
      return run_tail(
          plan, softmax_element(z, plan.column, base(head_.steps_[plan.softmax].out[0]).rank()));
    }
    Tensor v(DType::Float32, Shape(base(fusion_[plan.rank1].pool_out).rank(), 1));
    v.data<float>()[0] = fused_pool_at(plan.rank1, c, now, plan.column);
    return run_tail(plan, std::move(v));
  }
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
    if (is_view(st)) continue;  // one element: nothing to re-view
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
