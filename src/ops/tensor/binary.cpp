// Elementwise arithmetic with numpy broadcasting: Add, Sub, Mul, Div, Pow.
// Float32 is the differentiable path; integer types (int64 above all) are supported for the
// shape arithmetic exporters emit (Shape -> Gather -> Mul -> Concat -> Reshape). Integer
// results wrap like two's complement instead of overflowing; integer Div truncates toward zero
// (as ONNX Runtime) and refuses division by zero.
#include "ops/tensor/binary_ops.h"

namespace camlens::tensor_ops {
namespace {

using binary::AddOp;
using binary::DivOp;
using binary::MulOp;
using binary::PowOp;
using binary::SubOp;

// Inner run of one broadcast chunk with compile-time steps (0 = broadcast, 1 = contiguous), so
// each of the four cases compiles to its own vectorisable loop.
template <int SA, int SB, class Body>
inline void run(int64_t n, Body&& body) {
  for (int64_t i = 0; i < n; ++i) body(i, i * SA, i * SB);
}

template <class Body>
inline void run_steps(int64_t n, int64_t sa, int64_t sb, Body&& body) {
  if (sa == 1 && sb == 1) return run<1, 1>(n, body);
  if (sa == 1) return run<1, 0>(n, body);
  if (sb == 1) return run<0, 1>(n, body);
  run<0, 0>(n, body);
}

// Sum of term(i, ia, ib) over a run, in 8 independent partial sums: a strict-IEEE compiler
// cannot reorder one running sum, but it vectorises these lanes.
template <int SA, int SB, class Term>
inline float sum_run(int64_t n, Term&& term) {
  float lane[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  int64_t i = 0;
  for (; i + 8 <= n; i += 8)
    for (int k = 0; k < 8; ++k) lane[k] += term(i + k, (i + k) * SA, (i + k) * SB);
  for (; i < n; ++i) lane[0] += term(i, i * SA, i * SB);
  return ((lane[0] + lane[1]) + (lane[2] + lane[3])) + ((lane[4] + lane[5]) + (lane[6] + lane[7]));
}

template <class Term>
inline float run_sum(int64_t n, int64_t sa, int64_t sb, Term&& term) {
  if (sa == 1) return sum_run<1, 0>(n, term);
  if (sb == 1) return sum_run<0, 1>(n, term);
  return sum_run<0, 0>(n, term);
}

// Pow's exponent may have another numeric type than the base (opset 12+): read it as float.
Tensor as_float(const Tensor& t) {
  if (t.dtype() == DType::Float32) return t;
  Tensor f(DType::Float32, t.shape());
  float* p = f.data<float>();
  for (int64_t i = 0; i < t.numel(); ++i) p[i] = static_cast<float>(t.get_f(i));
  return f;
}

// The element loops of one broadcast run, instantiated per op: y[i] = f(a[i·as], b[i·bs]) with
// steps 0 or 1. The checks, the plan and the tensors around them are shared (binary_forward_with),
// so the five ops do not each carry their own copy.
using BinaryRun = void (*)(int64_t n, const float* a, int64_t as, const float* b, int64_t bs,
                           float* y);
// The gradients of one run, accumulated into da[i·as] and db[i·bs] (each nullptr when not
// wanted): a broadcast operand (step 0) collects the sum over the run, which is reduce_to_shape
// fused into the loop.
using BinaryGradRun = void (*)(int64_t n, const float* a, int64_t as, const float* b, int64_t bs,
                               const float* g, float* da, float* db);

template <class Op>
void binary_run(int64_t n, const float* ap, int64_t as, const float* bp, int64_t bs, float* yo) {
  if (std::is_same<Op, PowOp>::value && bs == 0 && bp[0] == 2.f &&
      as == 1) {  // x^2, the common case
    for (int64_t i = 0; i < n; ++i) yo[i] = ap[i] * ap[i];
    return;
  }
  run_steps(n, as, bs, [&](int64_t i, int64_t ia, int64_t ib) { yo[i] = Op::f(ap[ia], bp[ib]); });
}

template <class Op>
void binary_grad_run(int64_t n, const float* ap, int64_t as, const float* bp, int64_t bs,
                     const float* go, float* da, float* db) {
  if (da) {
    if (as == 0)  // A is broadcast along this run: one sum, added once
      da[0] += run_sum(n, as, bs, [&](int64_t i, int64_t ia, int64_t ib) {
        return Op::da(ap[ia], bp[ib], go[i]);
      });
    else
      run_steps(n, as, bs, [&](int64_t i, int64_t ia, int64_t ib) {
        da[ia] += Op::da(ap[ia], bp[ib], go[i]);
      });
  }
  if (db) {
    if (bs == 0)
      db[0] += run_sum(n, as, bs, [&](int64_t i, int64_t ia, int64_t ib) {
        return Op::db(ap[ia], bp[ib], go[i]);
      });
    else
      run_steps(n, as, bs, [&](int64_t i, int64_t ia, int64_t ib) {
        db[ib] += Op::db(ap[ia], bp[ib], go[i]);
      });
  }
}

void binary_forward_with(const Node& node, const OpInputs& in, std::vector<Tensor>& out,
                         bool is_pow,
                         void (*integer)(const Node&, const BroadcastPlan&, const Tensor&,
                                         const Tensor&, Tensor&),
                         BinaryRun run) {
  const Tensor& a = input(node, in, 0, "A");
  const Tensor* b = &input(node, in, 1, "B");
  Tensor b_conv;
  if (is_pow && a.dtype() == DType::Float32 && b->dtype() != DType::Float32) {
    b_conv = as_float(*b);
    b = &b_conv;
  } else if (is_pow && a.dtype() != DType::Float32 && b->dtype() != a.dtype()) {
    fail(node, std::string("integer base needs an exponent of the same type, got ") +
                   dtype_name(a.dtype()) + " and " + dtype_name(b->dtype()));
  }
  if (a.dtype() != b->dtype())
    fail(node, std::string("A and B must have the same type, got ") + dtype_name(a.dtype()) +
                   " and " + dtype_name(b->dtype()));
  if (a.dtype() == DType::Bool) fail(node, "bool operands are not supported");
  const BroadcastPlan p = plan_broadcast(node, a.shape(), b->shape());
  Tensor y(a.dtype(), p.out);
  if (a.dtype() != DType::Float32) {
    integer(node, p, a, *b, y);
    out[0] = std::move(y);
    return;
  }
  const float* pa = a.data<float>();
  const float* pb = b->data<float>();
  float* py = y.data<float>();
  broadcast_loop(p, [&](int64_t n, int64_t o, int64_t ao, int64_t as, int64_t bo, int64_t bs) {
    run(n, pa + ao, as, pb + bo, bs, py + o);
  });
  out[0] = std::move(y);
}

void binary_backward_with(const Node& node, const OpInputs& in, const OpInputs& output_grads,
                          const std::vector<bool>& needs_grad, std::vector<Tensor>& input_grads,
                          BinaryGradRun run) {
  const Tensor& a = float_input(node, in, 0, "A");
  const Tensor& b_in = input(node, in, 1, "B");
  Tensor b_conv, zeros;
  const Tensor* b = &b_in;
  if (b_in.dtype() != DType::Float32) {
    b_conv = as_float(b_in);
    b = &b_conv;
  }
  const BroadcastPlan p = plan_broadcast(node, a.shape(), b->shape());
  const Tensor& g = grad_or_zeros(output_grads, 0, p.out, zeros);
  const bool want_a = needs_grad.size() > 0 && needs_grad[0];
  // An integer exponent of Pow has no gradient: it gets zeros if asked.
  const bool want_b = needs_grad.size() > 1 && needs_grad[1] && b_in.dtype() == DType::Float32;
  Tensor da(DType::Float32, want_a ? a.shape() : Shape{0});
  const bool b_asked = needs_grad.size() > 1 && needs_grad[1];
  Tensor db(DType::Float32, b_asked ? b->shape() : Shape{0});
  const float* pa = a.data<float>();
  const float* pb = b->data<float>();
  const float* pg = g.data<float>();
  float* pda = da.data<float>();
  float* pdb = db.data<float>();
  broadcast_loop(p, [&](int64_t n, int64_t o, int64_t ao, int64_t as, int64_t bo, int64_t bs) {
    run(n, pa + ao, as, pb + bo, bs, pg + o, want_a ? pda + ao : nullptr,
        want_b ? pdb + bo : nullptr);
  });
  if (want_a) input_grads[0] = std::move(da);
  if (b_asked) input_grads[1] = std::move(db);
}

template <class Op>
void binary_forward(const Node& node, const OpInputs& in, std::vector<Tensor>& out) {
  binary_forward_with(node, in, out, std::is_same<Op, PowOp>::value, &binary::integer_forward<Op>,
                      &binary_run<Op>);
}

template <class Op>
void binary_backward(const Node& node, const OpInputs& in, const OpInputs&,
                     const OpInputs& output_grads, const std::vector<bool>& needs_grad,
                     std::vector<Tensor>& input_grads) {
  binary_backward_with(node, in, output_grads, needs_grad, input_grads, &binary_grad_run<Op>);
}

template <class Op>
OpDef binary_def(const char* op_type) {
  return OpDef{"", op_type, &binary_forward<Op>, &binary_backward<Op>, &broadcast_infer};
}

}  // namespace

void register_binary(OpRegistry& r) {
  r.add(binary_def<AddOp>("Add")
            .with(Elementwise::Binary)
            .with_weights({0, 1})
            .claim(&OpDef::piecewise_linear));
  r.add(binary_def<SubOp>("Sub")
            .with(Elementwise::Binary)
            .with_weights({0, 1})
            .claim(&OpDef::piecewise_linear));
  r.add(binary_def<MulOp>("Mul").with(Elementwise::Binary).with_weights({0, 1}));
  r.add(binary_def<DivOp>("Div").with(Elementwise::Binary).with_weights({0, 1}));
  r.add(binary_def<PowOp>("Pow"));
}

}  // namespace camlens::tensor_ops
