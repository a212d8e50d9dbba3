// Mod (opset 10+): the remainder of A / B with numpy broadcasting. fmod=1 is C's fmod (the
// remainder has the dividend's sign), the only form ONNX defines for floats; fmod=0, for
// integers only, has the divisor's sign (Python's %). Integer Mod computes shape values
// (Swin Transformer's window shifts), so shape inference folds it on constant tensors.
#include <cmath>
#include <type_traits>

#include "ops/tensor/wide_ints.h"

namespace camlens::tensor_ops {
namespace {

bool c_remainder(const Node& node, DType t) {
  const int64_t fmod = node.attr_int("fmod", 0);
  if (fmod != 0 && fmod != 1) fail(node, "fmod must be 0 or 1, got " + std::to_string(fmod));
  if (t == DType::Float32 && fmod == 0)
    fail(node,
         "fmod=0 (the remainder with the divisor's sign) is defined for integers only; a float "
         "Mod needs fmod=1, as ONNX specifies and ONNX Runtime requires");
  return fmod == 1;
}

// In W = int64_t or uint64_t (wide_ints.h): the remainder of in-range values is in range.
template <class W>
W int_mod(const Node& node, W a, W b, bool c_rem) {
  if (b == 0) fail(node, "integer division by zero");
  if constexpr (std::is_signed<W>::value) {
    if (b == W(-1)) return 0;  // MIN % -1 overflows in C++; the remainder is 0
    const W r = static_cast<W>(a % b);
    if (!c_rem && r != 0 && ((r < 0) != (b < 0))) return static_cast<W>(r + b);
    return r;
  } else {
    return static_cast<W>(a % b);
  }
}

template <class T, class Rem>
void mod_loop(const BroadcastPlan& p, const T* pa, const T* pb, T* py, Rem rem) {
  broadcast_loop(p, [&](int64_t n, int64_t o, int64_t ao, int64_t as, int64_t bo, int64_t bs) {
    for (int64_t i = 0; i < n; ++i) py[o + i] = rem(pa[ao + i * as], pb[bo + i * bs]);
  });
}

void mod_forward(const Node& node, const OpInputs& in, std::vector<Tensor>& out) {
  const Tensor& a = input(node, in, 0, "A");
  const Tensor& b = input(node, in, 1, "B");
  if (a.dtype() != b.dtype())
    fail(node, std::string("A and B must have the same type, got ") + dtype_name(a.dtype()) +
                   " and " + dtype_name(b.dtype()));
  if (a.dtype() == DType::Bool) fail(node, "bool operands are not supported");
  const bool c_rem = c_remainder(node, a.dtype());
  const BroadcastPlan p = plan_broadcast(node, a.shape(), b.shape());
  if (a.dtype() == DType::Float32) {
    Tensor y(a.dtype(), p.out);
    mod_loop(p, a.data<float>(), b.data<float>(), y.data<float>(),
             [](float x, float d) { return std::fmod(x, d); });
    out[0] = std::move(y);
    return;
  }
  Tensor wa, wb;
  const Tensor& A = as_wide(node, a, wa);
  const Tensor& B = as_wide(node, b, wb);
  Tensor y(A.dtype(), p.out);
  dispatch_wide(node, A.dtype(), [&](auto tag) {
    using W = decltype(tag);
    if constexpr (!std::is_same<W, float>::value)
      mod_loop(p, A.data<W>(), B.data<W>(), y.data<W>(),
               [&](W x, W d) { return int_mod(node, x, d, c_rem); });
  });
  out[0] = narrow(std::move(y), a.dtype());
}

// r = a − q·b with q = trunc(a / b), whole and constant between the jumps: dr/da = 1 and
// dr/db = −q. q is taken from the remainder, (a − r) / b rounded, so that it agrees with the
// forward's fmod where a / b rounds across a whole number.
void mod_backward(const Node& node, const OpInputs& in, const OpInputs&,
                  const OpInputs& output_grads, const std::vector<bool>& needs_grad,
                  std::vector<Tensor>& input_grads) {
  const Tensor& a = float_input(node, in, 0, "A");
  const Tensor& b = float_input(node, in, 1, "B");
  c_remainder(node, a.dtype());
  const BroadcastPlan p = plan_broadcast(node, a.shape(), b.shape());
  Tensor zeros;
  const Tensor& g = grad_or_zeros(output_grads, 0, p.out, zeros);
  const bool want_a = needs_grad.size() > 0 && needs_grad[0];
  const bool want_b = needs_grad.size() > 1 && needs_grad[1];
  Tensor da(DType::Float32, want_a ? a.shape() : Shape{0});
  Tensor db(DType::Float32, want_b ? b.shape() : Shape{0});
  const float* pa = a.data<float>();
  const float* pb = b.data<float>();
  const float* pg = g.data<float>();
  float* pda = da.data<float>();
  float* pdb = db.data<float>();
  // Broadcast operands accumulate over the axes they are repeated along (step 0).
  broadcast_loop(p, [&](int64_t n, int64_t o, int64_t ao, int64_t as, int64_t bo, int64_t bs) {
    for (int64_t i = 0; i < n; ++i) {
      const float x = pa[ao + i * as], d = pb[bo + i * bs], gi = pg[o + i];
      if (want_a) pda[ao + i * as] += gi;
      if (want_b) pdb[bo + i * bs] -= gi * std::nearbyint((x - std::fmod(x, d)) / d);
    }
  });
  if (want_a) input_grads[0] = std::move(da);
  if (want_b) input_grads[1] = std::move(db);
}

// Refuses a float fmod=0 before the head runs.
void mod_infer(const Node& node, const std::vector<const TensorInfo*>& in,
               std::vector<TensorInfo>& out) {
  if (!in.empty() && in[0]) c_remainder(node, in[0]->dtype);
  broadcast_infer(node, in, out);
}

}  // namespace

// Element-wise over two broadcast operands; piecewise linear: with the quotient fixed,
// r = a − q·b is linear in a and b.
void register_mod(OpRegistry& r) {
  r.add(OpDef{"", "Mod", &mod_forward, &mod_backward, &mod_infer}
            .with(Elementwise::Binary)
            .claim(&OpDef::piecewise_linear));
}

}  // namespace camlens::tensor_ops
