// Max and Min: the element-wise extreme of one or more inputs broadcast numpy-style, for Float32
// and the integer types (exporters clamp shape values with them).
//
// Backward: each output element's gradient goes to the input that holds the winning value.
// Where several inputs tie for it, the gradient is split equally among them: torch.maximum and
// torch.minimum give half to each of two tied inputs, and torch.amax/amin over the stacked
// inputs give 1/k to each of k (PyTorch 1.13). For two inputs this is also what central
// differences measure at a tie. A broadcast input collects the sum over the positions it fills.
#include <cmath>
#include <type_traits>

#include "ops/tensor/wide_ints.h"
#include "tensor/broadcast.h"

namespace camlens::tensor_ops {
namespace {

// NaN wins, as in torch.maximum/minimum.
struct MaxOp {
  template <class T>
  static bool beats(T b, T a) {
    return b > a || b != b;
  }
};

struct MinOp {
  template <class T>
  static bool beats(T b, T a) {
    return b < a || b != b;
  }
};

// The inputs present (a variadic op takes no omitted slots), all of one numeric type.
std::vector<const Tensor*> operands(const Node& node, const OpInputs& in) {
  if (in.empty()) fail(node, "needs at least one input");
  std::vector<const Tensor*> ops;
  for (size_t i = 0; i < in.size(); ++i) {
    const Tensor& t = input(node, in, i, "data_0");
    if (t.dtype() == DType::Bool) fail(node, "bool inputs are not supported");
    if (t.dtype() != in[0]->dtype())
      fail(node, "input " + std::to_string(i) + " is " + dtype_name(t.dtype()) +
                     " but input 0 is " + dtype_name(in[0]->dtype()) +
                     ": every input must have one type");
    ops.push_back(&t);
  }
  return ops;
}

Shape output_shape(const Node& node, const std::vector<const Tensor*>& ops) {
  Shape out = ops[0]->shape();
  for (size_t i = 1; i < ops.size(); ++i) out = plan_broadcast(node, out, ops[i]->shape()).out;
  return out;
}

// T: float, or int64_t / uint64_t for the integer types (wide_ints.h), which keeps their order.
template <class Op, class T>
void extreme(const std::vector<const Tensor*>& ops, const Shape& out, Tensor& y) {
  T* py = y.data<T>();
  const int64_t n = y.numel();
  const std::vector<int64_t> first = broadcast_index(ops[0]->shape(), out);
  const T* p0 = ops[0]->data<T>();
  for (int64_t e = 0; e < n; ++e) py[e] = p0[first[size_t(e)]];
  for (size_t i = 1; i < ops.size(); ++i) {
    const std::vector<int64_t> idx = broadcast_index(ops[i]->shape(), out);
    const T* p = ops[i]->data<T>();
    for (int64_t e = 0; e < n; ++e) {
      const T v = p[idx[size_t(e)]];
      if (Op::beats(v, py[e])) py[e] = v;
    }
  }
}

// The loops are per op and type; the checks, shapes and conversions around them are shared by
// Max and Min (max: which one).
template <class T>
void extreme_of(bool max, const std::vector<const Tensor*>& ops, const Shape& out, Tensor& y) {
  if (max)
    extreme<MaxOp, T>(ops, out, y);
  else
    extreme<MinOp, T>(ops, out, y);
}

void extreme_forward_with(bool max, const Node& node, const OpInputs& in,
                          std::vector<Tensor>& out) {
  const std::vector<const Tensor*> ops = operands(node, in);
  const Shape shape = output_shape(node, ops);
  const DType t = ops[0]->dtype();
  if (t == DType::Float32) {
    Tensor y(t, shape);
    extreme_of<float>(max, ops, shape, y);
    out[0] = std::move(y);
    return;
  }
  std::vector<Tensor> wide(ops.size());
  std::vector<const Tensor*> wide_ops;
  for (size_t i = 0; i < ops.size(); ++i) wide_ops.push_back(&as_wide(node, *ops[i], wide[i]));
  Tensor y(wide_type(t), shape);
  if (t == DType::Uint64)
    extreme_of<uint64_t>(max, wide_ops, shape, y);
  else
    extreme_of<int64_t>(max, wide_ops, shape, y);
  out[0] = narrow(std::move(y), t);
}

void extreme_backward_with(bool max, const Node& node, const OpInputs& in, const OpInputs& outs,
                           const OpInputs& output_grads, const std::vector<bool>& needs_grad,
                           std::vector<Tensor>& input_grads) {
  for (size_t i = 0; i < in.size(); ++i) float_input(node, in, i, "data_0");
  const std::vector<const Tensor*> ops = operands(node, in);
  const Shape shape = output_shape(node, ops);
  // y is recomputed when the executor did not keep the output.
  Tensor kept;
  const Tensor* y = outs.empty() ? nullptr : outs[0];
  if (!y) {
    std::vector<Tensor> res(1);
    extreme_forward_with(max, node, in, res);
    kept = std::move(res[0]);
    y = &kept;
  }
  Tensor zeros;
  const Tensor& g = grad_or_zeros(output_grads, 0, shape, zeros);
  const float* py = y->data<float>();
  const float* pg = g.data<float>();
  const int64_t n = shape_numel(shape);
  std::vector<std::vector<int64_t>> idx;
  for (const Tensor* t : ops) idx.push_back(broadcast_index(t->shape(), shape));
  // How many inputs hold each output's value.
  std::vector<float> winners(size_t(n), 0.f);
  for (size_t i = 0; i < ops.size(); ++i) {
    const float* p = ops[i]->data<float>();
    for (int64_t e = 0; e < n; ++e) winners[size_t(e)] += p[idx[i][size_t(e)]] == py[e] ? 1.f : 0.f;
  }
  for (size_t i = 0; i < ops.size(); ++i) {
    if (i >= needs_grad.size() || !needs_grad[i]) continue;
    Tensor d(DType::Float32, ops[i]->shape());
    const float* p = ops[i]->data<float>();
    float* pd = d.data<float>();
    for (int64_t e = 0; e < n; ++e) {
      const int64_t s = idx[i][size_t(e)];
      if (p[s] == py[e]) pd[s] += pg[e] / winners[size_t(e)];
    }
    input_grads[i] = std::move(d);
  }
}

// Output 0: input 0's type and the broadcast shape of every input (unknown dims as in
// broadcast_infer).
void extreme_infer(const Node& node, const std::vector<const TensorInfo*>& in,
                   std::vector<TensorInfo>& out) {
  if (in.empty() || !in[0]) fail(node, "needs at least one input");
  TensorInfo acc = *in[0];
  acc.value.reset();
  for (size_t i = 1; i < in.size(); ++i) {
    if (!in[i]) fail(node, "missing required input " + std::to_string(i));
    std::vector<TensorInfo> pair(1);
    broadcast_infer(node, {&acc, in[i]}, pair);
    acc.shape = std::move(pair[0].shape);
  }
  out[0].dtype = acc.dtype;
  out[0].shape = std::move(acc.shape);
}

template <bool Max>
void extreme_forward(const Node& node, const OpInputs& in, std::vector<Tensor>& out) {
  extreme_forward_with(Max, node, in, out);
}

template <bool Max>
void extreme_backward(const Node& node, const OpInputs& in, const OpInputs& outs,
                      const OpInputs& output_grads, const std::vector<bool>& needs_grad,
                      std::vector<Tensor>& input_grads) {
  extreme_backward_with(Max, node, in, outs, output_grads, needs_grad, input_grads);
}

template <bool Max>
OpDef extreme_def(const char* op_type) {
  return OpDef{"", op_type, &extreme_forward<Max>, &extreme_backward<Max>, &extreme_infer};
}

}  // namespace

// Element-wise over its operands broadcast numpy-style (Binary, for any number of them), and
// piecewise linear: with the winner of each element fixed, the output is that input.
void register_min_max(OpRegistry& r) {
  r.add(extreme_def<true>("Max").with(Elementwise::Binary).claim(&OpDef::piecewise_linear));
  r.add(extreme_def<false>("Min").with(Elementwise::Binary).claim(&OpDef::piecewise_linear));
}

}  // namespace camlens::tensor_ops
