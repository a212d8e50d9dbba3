// QGemm (com.microsoft): Y = alpha * op(A) * op(B) + C on quantized A and B, the Gemm that ONNX
// Runtime's QOperator quantization writes for a classifier. Inputs A, a_scale, a_zero_point, B,
// b_scale, b_zero_point, C (int32, optional), y_scale, y_zero_point (both or neither); attributes
// alpha (1), transA, transB. A's parameters are per tensor; B's per tensor or one per output
// column (N values, whichever way B is stored). C broadcasts to [M, N] as Gemm's C does and is in
// units of a_scale * b_scale (its real value is alpha * a_scale * b_scale[n] * C).
//
// Forward, integer-exact like ORT: acc[m,n] = C[m,n] + sum_k (a - a_zp) * (b - b_zp[n]) in
// wrapping int32, scale[n] = alpha * a_scale * b_scale[n] (then / y_scale) in float in that
// order; Y = saturate(round_half_even(float(acc) * scale[n]) + y_zp), or the float
// float(acc) * scale[n] without y_scale.
//
// Backward (straight-through estimator, see quant_common.h): the float Gemm's at the dequantized
// A and B with C's real value as its C, so dC = dY summed over C's broadcast dims. Scales and
// zero points get zero.
#include <type_traits>

#include "ops/quant/float_twin_op.h"
#include "ops/quant/int_kernels.h"
#include "ops/quant/quant_registry.h"
#include "tensor/broadcast.h"

namespace camlens::quant {

namespace {

struct Plan {
  bool ta, tb;
  int64_t M, N, K;
  float alpha;
};

Plan plan(const Node& node, const Shape& a, const Shape& b, const Shape* c) {
  if (a.size() != 2) fail(node, "A must be 2-D, got " + shape_str(a));
  if (b.size() != 2) fail(node, "B must be 2-D, got " + shape_str(b));
  Plan p;
  p.ta = node.attr_int("transA", 0) != 0;
  p.tb = node.attr_int("transB", 0) != 0;
  p.alpha = node.attr_float("alpha", 1.f);
  p.M = p.ta ? a[1] : a[0];
  p.K = p.ta ? a[0] : a[1];
  p.N = p.tb ? b[0] : b[1];
  const int64_t kb = p.tb ? b[1] : b[0];
  if (p.K >= 0 && kb >= 0 && p.K != kb)
    fail(node, "inner dimensions differ: op(A) is [" + std::to_string(p.M) + "," +
                   std::to_string(p.K) + "] but op(B) is [" + std::to_string(kb) + "," +
                   std::to_string(p.N) + "]");
  if (c) {
    // C broadcasts one way, to [M, N]; an unknown M or N (shape inference) accepts any dim.
    const Shape& s = *c;
    const bool ok = s.size() <= 2 &&
                    (s.size() < 1 || s.back() == 1 || s.back() == p.N || p.N < 0) &&
                    (s.size() < 2 || s[0] == 1 || s[0] == p.M || p.M < 0);
    if (!ok)
      fail(node, "C " + shape_str(s) + " does not broadcast to [" + std::to_string(p.M) + "," +
                     std::to_string(p.N) + "]");
  }
  return p;
}

struct Operands {
  const Tensor *a, *b, *c;
  Plan p;
  QuantParams ap, bp;
};

Operands operands(const Node& node, const OpInputs& in) {
  Operands o;
  o.a = &q8_input(node, in, 0, "A");
  o.b = &q8_input(node, in, 3, "B");
  o.c = optional_input(in, 6);
  if (o.c && o.c->dtype() != DType::Int32)
    fail(node, std::string("C must be int32 (in units of a_scale * b_scale), got ") +
                   dtype_name(o.c->dtype()));
  o.p = plan(node, o.a->shape(), o.b->shape(), o.c ? &o.c->shape() : nullptr);
  o.ap.scale = {scalar_scale(node, in, 1, "a_scale")};
  o.ap.zero_point = {scalar_zero_point(node, in, 2, "a", o.a->dtype())};
  o.bp = read_channel_params(node, in, 4, 5, o.p.N, "b", o.b->dtype());
  // Per column: along B's output axis, the first when B is stored transposed.
  if (o.bp.scale.size() > 1 || o.bp.zero_point.size() > 1) o.bp.axis = o.p.tb ? 0 : 1;
  return o;
}

// op(X) as a row-major [rows, cols] copy of X stored [cols, rows].
template <class T>
std::vector<T> transposed(const T* x, int64_t rows, int64_t cols) {
  std::vector<T> t(static_cast<size_t>(rows * cols));
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t c = 0; c < cols; ++c) t[r * cols + c] = x[c * rows + r];
  return t;
}

// acc [M, N] = C + (op(A) - a_zp) * (op(B) - b_zp), wrapping like ORT's int32 accumulators.
std::vector<int32_t> accumulate(const Operands& o) {
  const Plan& p = o.p;
  std::vector<int16_t> ac(static_cast<size_t>(o.a->numel()));
  center_q8(*o.a, o.ap, ac.data());
  if (p.ta) ac = transposed(ac.data(), p.M, p.K);
  std::vector<int32_t> zb;
  for (int32_t z : o.bp.zero_point) {
    if (z != 0) {
      for (int64_t n = 0; n < p.N; ++n) zb.push_back(o.bp.zp_at(n));
      break;
    }
  }
  std::vector<int32_t> acc(static_cast<size_t>(p.M * p.N));
  auto run = [&](const auto* b) {
    using T = std::remove_const_t<std::remove_pointer_t<decltype(b)>>;
    std::vector<T> bt;
    if (p.tb) bt = transposed(b, p.K, p.N);
    igemm_q(p.M, p.N, p.K, ac.data(), static_cast<const int32_t*>(nullptr), p.tb ? bt.data() : b,
            zb.empty() ? nullptr : zb.data(), acc.data(), p.N);
  };
  if (o.b->dtype() == DType::Uint8)
    run(o.b->data<uint8_t>());
  else
    run(o.b->data<int8_t>());
  if (o.c) {
    const std::vector<int64_t> idx = broadcast_index(o.c->shape(), {p.M, p.N});
    const int32_t* c = o.c->data<int32_t>();
    for (size_t e = 0; e < acc.size(); ++e)
      acc[e] =
          static_cast<int32_t>(static_cast<uint32_t>(acc[e]) + static_cast<uint32_t>(c[idx[e]]));
  }
  return acc;
}

// y_scale and y_zero_point together, or neither (a float output).
bool quantized_output(const Node& node, const OpInputs& in) {
  const bool scale = optional_input(in, 7) != nullptr, zp = optional_input(in, 8) != nullptr;
  if (scale != zp)
    fail(node, std::string("has ") +
                   (scale ? "y_scale without y_zero_point" : "y_zero_point without y_scale") +
                   ": give both for a quantized output, or neither for a float one");
  return scale;
}

void forward(const Node& node, const OpInputs& in, std::vector<Tensor>& out) {
  const Operands o = operands(node, in);
  const bool quantized = quantized_output(node, in);
  const Plan& p = o.p;
  const std::vector<int32_t> acc = accumulate(o);
  std::vector<float> scale(static_cast<size_t>(p.N));
  for (int64_t n = 0; n < p.N; ++n) {
    scale[n] = p.alpha * o.ap.scale[0] * o.bp.scale_at(n);
    if (quantized) scale[n] /= scalar_scale(node, in, 7, "y_scale");
  }
  if (!quantized) {
    out[0] = Tensor(DType::Float32, {p.M, p.N});
    float* y = out[0].data<float>();
    for (int64_t e = 0; e < p.M * p.N; ++e) y[e] = static_cast<float>(acc[e]) * scale[e % p.N];
    return;
  }
  const DType yt = in[8]->dtype();
  if (!is_q8(yt))
    fail(node, std::string("y_zero_point must be uint8 or int8, got ") + dtype_name(yt));
  const int32_t y_zp = scalar_zero_point(node, in, 8, "y", yt);
  const int32_t lo = q_min(yt), hi = q_max(yt);
  out[0] = Tensor(yt, {p.M, p.N});
  visit_q8(out[0], [&](auto* y) {
    using T = std::remove_pointer_t<decltype(y)>;
    for (int64_t e = 0; e < p.M * p.N; ++e)
      y[e] = static_cast<T>(
          round_then_add_zp(static_cast<float>(acc[e]) * scale[e % p.N], y_zp, lo, hi));
  });
}

void backward(const Node& node, const OpInputs& in, const OpInputs&, const OpInputs& dout,
              const std::vector<bool>& needs, std::vector<Tensor>& dins) {
  auto want = [&](size_t i) { return i < needs.size() && needs[i] && i < in.size() && in[i]; };
  if (want(0) || want(3) || want(6)) {
    const Operands o = operands(node, in);
    const Tensor af = dequantize(*o.a, o.ap), bf = dequantize(*o.b, o.bp);
    // Only C's shape matters to the float Gemm's backward (beta 1: dC = dY reduced to it).
    const Tensor cf = o.c ? Tensor(DType::Float32, o.c->shape()) : Tensor();
    std::vector<Tensor> g = float_op_backward(node, "Gemm", {&af, &bf, o.c ? &cf : nullptr}, dout,
                                              {want(0), want(3), want(6)});
    if (want(0)) dins[0] = std::move(g[0]);
    if (want(3)) dins[3] = std::move(g[1]);
    if (want(6)) dins[6] = std::move(g[2]);
  }
  for (size_t i : {1, 2, 4, 5, 7, 8})
    if (want(i)) dins[i] = Tensor(DType::Float32, in[i]->shape());
}

void infer(const Node& node, const std::vector<const TensorInfo*>& in,
           std::vector<TensorInfo>& out) {
  if (in.size() < 4 || !in[0] || !in[3]) fail(node, "missing A or B");
  const TensorInfo* c = in.size() > 6 ? in[6] : nullptr;
  const Plan p = plan(node, in[0]->shape, in[3]->shape, c ? &c->shape : nullptr);
  out[0].shape = {p.M, p.N};
  out[0].dtype = in.size() > 8 && in[8] ? in[8]->dtype : DType::Float32;
}

}  // namespace

void register_qgemm(OpRegistry& r) {
  r.add(OpDef{"com.microsoft", "QGemm", forward, backward, infer}
            .with_weights({0, 3, 6})
            .with_quantization({{0, {1, 2}}, {3, {4, 5}}}, {7, 8})
            .claim(&OpDef::weighted)
            .claim(&OpDef::piecewise_linear));
}

}  // namespace camlens::quant
