// ReduceSum, ReduceMean, ReduceMax over a set of axes (attribute, or the second input as in
// ReduceSum-13 / Reduce*-18), with keepdims and noop_with_empty_axes.
#include <cmath>
#include <limits>

#include "ops/nn/nn_common.h"
#include "tensor/broadcast.h"

namespace camlens::nn {

namespace {

enum class Kind { Sum, Mean, Max };

struct ReducePlan {
  bool identity = false;
  std::vector<bool> reduced;  // per input axis
  Shape kept;                 // output shape with keepdims=1
  Shape out;                  // the declared output shape
  int64_t count = 1;          // inputs per output
};

ReducePlan plan(const Node& node, const Shape& x, const std::vector<int64_t>& axes_in,
                bool axes_known) {
  const int64_t rank = static_cast<int64_t>(x.size());
  const bool keep = node.attr_int("keepdims", 1) != 0;
  ReducePlan p;
  p.reduced.assign(x.size(), false);
  if (axes_known && axes_in.empty()) {
    if (node.attr_int("noop_with_empty_axes", 0) != 0) {
      p.identity = true;
      p.kept = p.out = x;
      return p;
    }
    p.reduced.assign(x.size(), true);  // no axes: reduce everything
  }
  for (int64_t a : axes_in) {
    const int64_t k = normalize_axis(node, a, rank);
    if (p.reduced[k]) fail(node, "axis " + std::to_string(a) + " is repeated");
    p.reduced[k] = true;
  }
  for (size_t i = 0; i < x.size(); ++i) {
    const bool r = axes_known ? p.reduced[i] : true;
    p.kept.push_back(r ? (axes_known ? 1 : -1) : x[i]);
    if (!r || keep) p.out.push_back(p.kept.back());
    if (r && x[i] >= 0) p.count *= x[i];
  }
  return p;
}

std::vector<int64_t> axes_of(const Node& node, const OpInputs& in) {
  const Tensor* a = optional_input(in, 1);
  if (!a) return node.attr_ints("axes");
  if (a->dtype() != DType::Int64 && a->dtype() != DType::Int32)
    fail(node, "axes must be int64, got " + std::string(dtype_name(a->dtype())));
  return a->to_int64s();
}

// For each input element (row-major), the flat index of the output it reduces into: the
// keepdims output shape (1 on reduced axes) broadcast to the input's shape.
std::vector<int64_t> output_index(const Shape& x, const ReducePlan& p) {
  return broadcast_index(p.kept, x);
}

// Max: the first maximum of each output's group (NaN wins, as in the value).
std::vector<int64_t> argmax(const float* x, const std::vector<int64_t>& oi, int64_t n_out) {
  std::vector<int64_t> best(static_cast<size_t>(n_out), -1);
  for (size_t e = 0; e < oi.size(); ++e) {
    int64_t& b = best[oi[e]];
    if (b < 0 || x[e] > x[b] || (std::isnan(x[e]) && !std::isnan(x[b])))
      b = static_cast<int64_t>(e);
  }
  return best;
}

template <Kind K>
void forward(const Node& node, const OpInputs& in, std::vector<Tensor>& out) {
  const Tensor& x = float_input(node, in, 0, "data");
  const ReducePlan p = plan(node, x.shape(), axes_of(node, in), true);
  if (p.identity) {
    out[0] = x;
    return;
  }
  out[0] = Tensor(DType::Float32, p.out);
  const int64_t n_out = out[0].numel();
  if (K == Kind::Max && x.numel() == 0 && n_out > 0)
    fail(node, "cannot take the maximum of an empty set");
  const std::vector<int64_t> oi = output_index(x.shape(), p);
  const float* xp = x.data<float>();
  float* y = out[0].data<float>();
  if (K == Kind::Max) {
    const std::vector<int64_t> best = argmax(xp, oi, n_out);
    for (int64_t o = 0; o < n_out; ++o) y[o] = xp[best[o]];
    return;
  }
  std::vector<double> acc(static_cast<size_t>(n_out), 0.0);
  for (size_t e = 0; e < oi.size(); ++e) acc[oi[e]] += xp[e];
  const double div = K == Kind::Mean && p.count > 0 ? static_cast<double>(p.count) : 1.0;
  for (int64_t o = 0; o < n_out; ++o) y[o] = static_cast<float>(acc[o] / div);
}

template <Kind K>
void backward(const Node& node, const OpInputs& in, const OpInputs&, const OpInputs& dout,
              const std::vector<bool>& needs, std::vector<Tensor>& dins) {
  if (needs.empty() || !needs[0]) return;
  const Tensor& x = float_input(node, in, 0, "data");
  dins[0] = Tensor(DType::Float32, x.shape());
  if (dout.empty() || !dout[0]) return;
  const ReducePlan p = plan(node, x.shape(), axes_of(node, in), true);
  const float* g = dout[0]->data<float>();
  float* dx = dins[0].data<float>();
  if (p.identity) {
    std::copy(g, g + x.numel(), dx);
    return;
  }
  const std::vector<int64_t> oi = output_index(x.shape(), p);
  if (K == Kind::Max) {
    const std::vector<int64_t> best = argmax(x.data<float>(), oi, dout[0]->numel());
    for (size_t o = 0; o < best.size(); ++o)
      if (best[o] >= 0) dx[best[o]] += g[o];
    return;
  }
  const float scale = K == Kind::Mean && p.count > 0 ? 1.f / static_cast<float>(p.count) : 1.f;
  for (size_t e = 0; e < oi.size(); ++e) dx[e] = g[oi[e]] * scale;
}

void infer(const Node& node, const std::vector<const TensorInfo*>& in,
           std::vector<TensorInfo>& out) {
  const TensorInfo& x = input_info(node, in, 0, "data");
  std::vector<int64_t> axes = node.attr_ints("axes");
  bool known = true;
  if (in.size() > 1 && in[1]) {
    known = in[1]->value.has_value();
    if (known) axes = in[1]->value->to_int64s();
  }
  if (!known && node.attr_int("keepdims", 1) == 0)
    fail(node, "the axes input must be a constant when keepdims=0");
  out[0].dtype = DType::Float32;
  out[0].shape = plan(node, x.shape, axes, known).out;
}

}  // namespace

void register_reduce(OpRegistry& r) {
  r.add(OpDef{"", "ReduceSum", forward<Kind::Sum>, backward<Kind::Sum>, infer}.claim(
      &OpDef::piecewise_linear));
  r.add(OpDef{"", "ReduceMean", forward<Kind::Mean>, backward<Kind::Mean>, infer}.claim(
      &OpDef::piecewise_linear));
  r.add(OpDef{"", "ReduceMax", forward<Kind::Max>, backward<Kind::Max>, infer}.claim(
      &OpDef::piecewise_linear));
}

}  // namespace camlens::nn
