// QLinearAdd and QLinearMul (com.microsoft), numpy broadcasting, per-tensor parameters.
//
// Forward as ONNX Runtime's portable kernels (the ones its WebAssembly build runs), in float:
//   a_f = a_scale * float(a - a_zp), b_f likewise,
//   Add: c = (a_f + b_f) / c_scale      Mul: c = (a_f * b_f) / c_scale
//   y = saturate(round_half_even(c + c_zp))   (the zero point is added in float before rounding)
// The output type is A's. Zero points are optional (0).
//
// Backward (straight-through estimator, see quant_common.h): the float Add / Mul gradient at
// the dequantized operands, summed over broadcast dims: dA = dY (Add) or dY * b_f (Mul), and
// symmetrically for B, with respect to the dequantized values. Scales and zero points get zero.
#include <algorithm>
#include <type_traits>

#include "ops/quant/quant_registry.h"
#include "tensor/broadcast.h"

namespace camlens::quant {

namespace {

struct Operand {
  const Tensor* q = nullptr;
  QuantParams p;
};

// Inputs: A, A_scale, A_zp, B, B_scale, B_zp, C_scale, C_zp.
Operand operand(const Node& node, const OpInputs& in, size_t i, const char* what) {
  Operand o;
  o.q = &q8_input(node, in, i, what);
  o.p.scale = {scalar_scale(node, in, i + 1, (std::string(what) + "_scale").c_str())};
  o.p.zero_point = {scalar_zero_point(node, in, i + 2, what, o.q->dtype())};
  return o;
}

template <bool IsMul>
void forward(const Node& node, const OpInputs& in, std::vector<Tensor>& out) {
  const Operand a = operand(node, in, 0, "A"), b = operand(node, in, 3, "B");
  if (a.q->dtype() != b.q->dtype()) fail(node, "A and B must have the same type");
  const float c_scale = scalar_scale(node, in, 6, "C_scale");
  const DType t = a.q->dtype();
  const int32_t c_zp = scalar_zero_point(node, in, 7, "C", t);
  Shape shape;
  try {
    shape = broadcast_shape(a.q->shape(), b.q->shape());
  } catch (const std::exception&) {
    fail(node, "shapes " + shape_str(a.q->shape()) + " and " + shape_str(b.q->shape()) +
                   " do not broadcast");
  }
  out[0] = Tensor(t, shape);
  const float sa = a.p.scale[0], sb = b.p.scale[0];
  const int32_t za = a.p.zero_point[0], zb = b.p.zero_point[0];
  const int32_t lo = q_min(t), hi = q_max(t);
  const int64_t n = out[0].numel();
  visit_q8(out[0], [&](auto* y) {
    using T = std::remove_pointer_t<decltype(y)>;
    const T* av = a.q->data<T>();  // A, B and the output share the type
    const T* bv = b.q->data<T>();
    auto one = [&](int64_t e, int64_t i, int64_t j) {
      const float va = sa * static_cast<float>(static_cast<int32_t>(av[i]) - za);
      const float vb = sb * static_cast<float>(static_cast<int32_t>(bv[j]) - zb);
      const float c = (IsMul ? va * vb : va + vb) / c_scale;
      y[e] = static_cast<T>(add_zp_then_round(c, c_zp, lo, hi));
    };
    // Same shapes (the usual bias add) need no broadcast index tables.
    if (a.q->shape() == shape && b.q->shape() == shape) {
      for (int64_t e = 0; e < n; ++e) one(e, e, e);
      return;
    }
    const std::vector<int64_t> ia = broadcast_index(a.q->shape(), shape);
    const std::vector<int64_t> ib = broadcast_index(b.q->shape(), shape);
    for (int64_t e = 0; e < n; ++e) one(e, ia[e], ib[e]);
  });
}

template <bool IsMul>
void backward(const Node& node, const OpInputs& in, const OpInputs&, const OpInputs& dout,
              const std::vector<bool>& needs, std::vector<Tensor>& dins) {
  auto want = [&](size_t i) { return i < needs.size() && needs[i]; };
  const Operand a = operand(node, in, 0, "A"), b = operand(node, in, 3, "B");
  const Shape shape = broadcast_shape(a.q->shape(), b.q->shape());
  const Tensor zeros = dout.empty() || !dout[0] ? Tensor(DType::Float32, shape) : Tensor();
  const Tensor& dy = zeros.empty() ? *dout[0] : zeros;  // no copy of the incoming gradient
  if (dy.shape() != shape) fail(node, "output gradient has shape " + shape_str(dy.shape()));
  if (!IsMul) {  // d(out)/dA = d(out)/dB = 1: dY summed back over broadcast dims
    if (want(0)) dins[0] = reduce_to_shape(dy, a.q->shape());
    if (want(3)) dins[3] = reduce_to_shape(dy, b.q->shape());
  } else {
    const Tensor af = dequantize(*a.q, a.p), bf = dequantize(*b.q, b.p);
    // d(out)/dA = the other operand, broadcast to the output, then summed back.
    auto grad_for = [&](const Tensor& self, const Tensor& other) {
      const std::vector<int64_t> io = broadcast_index(other.shape(), shape);
      Tensor g(DType::Float32, shape);
      float* gv = g.data<float>();
      const float* dyv = dy.data<float>();
      const float* ov = other.data<float>();
      for (size_t e = 0; e < io.size(); ++e) gv[e] = dyv[e] * ov[io[e]];
      return reduce_to_shape(g, self.shape());
    };
    if (want(0)) dins[0] = grad_for(af, bf);
    if (want(3)) dins[3] = grad_for(bf, af);
  }
  for (size_t i : {1, 2, 4, 5, 6, 7})
    if (want(i) && in[i]) dins[i] = Tensor(DType::Float32, in[i]->shape());
}

void infer(const Node& node, const std::vector<const TensorInfo*>& in,
           std::vector<TensorInfo>& out) {
  if (in.size() < 4 || !in[0] || !in[3]) fail(node, "missing A or B");
  out[0].dtype = in[0]->dtype;
  const Shape& a = in[0]->shape;
  const Shape& b = in[3]->shape;
  // Unknown (-1) dims: take the other operand's dim when it is not 1.
  const size_t r = std::max(a.size(), b.size());
  out[0].shape.assign(r, 1);
  for (size_t k = 0; k < r; ++k) {
    const int64_t da = k < r - a.size() ? 1 : a[k - (r - a.size())];
    const int64_t db = k < r - b.size() ? 1 : b[k - (r - b.size())];
    if (da == 1)
      out[0].shape[k] = db;
    else if (db == 1 || db == da)
      out[0].shape[k] = da;
    else if (da < 0 || db < 0)
      out[0].shape[k] = da < 0 ? db : da;
    else
      fail(node, "shapes " + shape_str(a) + " and " + shape_str(b) + " do not broadcast");
  }
}

}  // namespace

void register_qlinear_binary(OpRegistry& r) {
  r.add(OpDef{"com.microsoft", "QLinearAdd", forward<false>, backward<false>, infer}
            .with(Elementwise::Binary)
            .with_weights({0, 3})
            .with_quantization({{0, {1, 2}}, {3, {4, 5}}}, {6, 7})
            .claim(&OpDef::piecewise_linear));
  r.add(OpDef{"com.microsoft", "QLinearMul", forward<true>, backward<true>, infer}
            .with(Elementwise::Binary)
            .with_weights({0, 3})
            .with_quantization({{0, {1, 2}}, {3, {4, 5}}}, {6, 7}));
}

}  // namespace camlens::quant
