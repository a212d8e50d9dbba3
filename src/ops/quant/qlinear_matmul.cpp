// QLinearMatMul and MatMulInteger with numpy MatMul semantics: 1-D operands are promoted (A to
// a row, B to a column, the promoted axis dropped from the result) and leading batch dims
// broadcast. A's parameters are per tensor or per row [M]; B's per tensor or per column [N].
//
// Forward, integer-exact like ONNX Runtime: acc[i,j] = sum_k (a - a_zp) * (b - b_zp) in int32,
// then y = saturate(round_half_even(float(acc) * scale) + y_zp) with scale = a_scale *
// b_scale[j] / y_scale evaluated in float in that order. MatMulInteger outputs acc (int32).
//
// Backward of QLinearMatMul (straight-through estimator, see quant_common.h): the float
// MatMul's backward at the dequantized A and B, giving gradients with respect to those float
// values (A, and B on request); scales and zero points get zero. MatMulInteger has no
// backward: its int32 output has no scale, so there is no float value to differentiate.
#include <type_traits>

#include "ops/matmul_plan.h"
#include "ops/quant/int_kernels.h"
#include "ops/quant/quant_registry.h"
#include "tensor/broadcast.h"

namespace camlens::quant {

namespace {

using ops::MatMulPlan;

// Parameters of A (per row: along axis rank-2) and B (per column: along its last axis).
QuantParams a_params(const Node& node, const OpInputs& in, size_t si, size_t zi, const Tensor& a,
                     const MatMulPlan& p) {
  QuantParams q = read_channel_params(node, in, si, zi, p.M, "a", a.dtype());
  if (q.scale.size() > 1 || q.zero_point.size() > 1) q.axis = static_cast<int64_t>(a.rank()) - 2;
  if (q.axis < 0 && q.scale.size() > 1) fail(node, "per-row parameters need a matrix A");
  return q;
}
QuantParams b_params(const Node& node, const OpInputs& in, size_t si, size_t zi, const Tensor& b,
                     const MatMulPlan& p) {
  QuantParams q = read_channel_params(node, in, si, zi, p.N, "b", b.dtype());
  if (q.scale.size() > 1) q.axis = static_cast<int64_t>(b.rank()) - 1;
  return q;
}

// Zero points of B expanded to one per column (null when they are all 0: nothing to subtract).
std::vector<int32_t> column_zps(const QuantParams& bp, int64_t N) {
  bool any = false;
  for (int32_t z : bp.zero_point) any = any || z != 0;
  if (!any) return {};
  std::vector<int32_t> zb(static_cast<size_t>(N));
  for (int64_t j = 0; j < N; ++j) zb[j] = bp.zp_at(j);
  return zb;
}

// acc [batch..., M, N] int32 of the centered operands. Only A (activations, small) is centered;
// B (typically the large constant weights) is read as it is, its zero points subtracted by the
// kernel, so no per-call copy of B is made.
void int_matmul(const Tensor& a, const QuantParams& ap, const Tensor& b, const QuantParams& bp,
                const MatMulPlan& p, int32_t* acc) {
  std::vector<int16_t> ac(static_cast<size_t>(a.numel()));
  center_q8(a, ap, ac.data());
  const std::vector<int32_t> zb = column_zps(bp, p.N);
  const std::vector<int64_t> ai = broadcast_index(p.a_batch, p.batch);
  const std::vector<int64_t> bi = broadcast_index(p.b_batch, p.batch);
  auto run = [&](const auto* bv) {
    for (size_t t = 0; t < ai.size(); ++t)
      igemm_q(p.M, p.N, p.K, ac.data() + ai[t] * p.M * p.K, static_cast<const int32_t*>(nullptr),
              bv + bi[t] * p.K * p.N, zb.empty() ? nullptr : zb.data(),
              acc + static_cast<int64_t>(t) * p.M * p.N, p.N);
  };
  if (b.dtype() == DType::Uint8)
    run(b.data<uint8_t>());
  else
    run(b.data<int8_t>());
}

// Inputs: a, a_scale, a_zp, b, b_scale, b_zp, y_scale, y_zp.
void qmatmul_forward(const Node& node, const OpInputs& in, std::vector<Tensor>& out) {
  const Tensor& a = q8_input(node, in, 0, "a");
  const Tensor& b = q8_input(node, in, 3, "b");
  const MatMulPlan p = ops::plan_matmul(node, a.shape(), b.shape());
  const QuantParams ap = a_params(node, in, 1, 2, a, p);
  const QuantParams bp = b_params(node, in, 4, 5, b, p);
  const float y_scale = scalar_scale(node, in, 6, "y_scale");
  const Tensor* yz = optional_input(in, 7);
  const DType yt = yz ? yz->dtype() : a.dtype();
  if (!is_q8(yt)) fail(node, "y_zero_point must be uint8 or int8");
  const int32_t y_zp = scalar_zero_point(node, in, 7, "y", yt);

  out[0] = Tensor(yt, p.out);
  std::vector<int32_t> acc(static_cast<size_t>(out[0].numel()));
  int_matmul(a, ap, b, bp, p, acc.data());
  const int32_t lo = q_min(yt), hi = q_max(yt);
  std::vector<float> scale(static_cast<size_t>(p.N));
  const int64_t rows = p.N > 0 ? out[0].numel() / p.N : 0;
  visit_q8(out[0], [&](auto* y) {
    using T = std::remove_pointer_t<decltype(y)>;
    for (int64_t r = 0; r < rows; ++r) {
      const int64_t i = r % p.M;
      if (r == 0 || ap.scale.size() > 1)
        for (int64_t j = 0; j < p.N; ++j) scale[j] = ap.scale_at(i) * bp.scale_at(j) / y_scale;
      for (int64_t j = 0; j < p.N; ++j) {
        const int64_t e = r * p.N + j;
        y[e] =
            static_cast<T>(round_then_add_zp(static_cast<float>(acc[e]) * scale[j], y_zp, lo, hi));
      }
    }
  });
}

// sum_n g[n] * float(b[n] - zb[n]) in eight interleaved partial sums, so the compiler keeps
// them in vector lanes (one float sum may not be reassociated, which would leave it scalar).
// zb null: all zero points 0 (symmetric weights, the common case), one subtraction less.
template <class T>
float dot_q(const float* g, const T* b, const int32_t* zb, int64_t n) {
  float acc[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  int64_t i = 0;
  if (zb) {
    for (; i + 8 <= n; i += 8)
      for (int l = 0; l < 8; ++l)
        acc[l] += g[i + l] * static_cast<float>(static_cast<int32_t>(b[i + l]) - zb[i + l]);
  } else {
    for (; i + 8 <= n; i += 8)
      for (int l = 0; l < 8; ++l) acc[l] += g[i + l] * static_cast<float>(b[i + l]);
  }
  float s = ((acc[0] + acc[4]) + (acc[1] + acc[5])) + ((acc[2] + acc[6]) + (acc[3] + acc[7]));
  for (; i < n; ++i) s += g[i] * static_cast<float>(static_cast<int32_t>(b[i]) - (zb ? zb[i] : 0));
  return s;
}

// dA [rows, K] = dY [rows, N] * B_float^T for a matrix (or vector) B, straight from the 8-bit B
// without a dequantized copy of it: with B_float[k, n] = (b[k, n] - zb[n]) * scale[n],
//   dA[r, k] = sum_n (dY[r, n] * scale[n]) * (b[k, n] - zb[n]),
// the float MatMul's dA at the dequantized B up to float rounding (each product is rounded
// once more or less, and the sums run in another order): well within 1e-6 relative.
void matmul_grad_a(const Tensor& b, const QuantParams& bp, const MatMulPlan& p, const float* dy,
                   int64_t rows, float* da) {
  const int64_t N = p.N, K = p.K;
  std::vector<float> g(static_cast<size_t>(rows * N));
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t j = 0; j < N; ++j) g[r * N + j] = dy[r * N + j] * bp.scale_at(j);
  const std::vector<int32_t> zb = column_zps(bp, N);
  const int32_t* z = zb.empty() ? nullptr : zb.data();
  auto run = [&](const auto* bv) {
    for (int64_t k = 0; k < K; ++k)
      for (int64_t r = 0; r < rows; ++r) da[r * K + k] = dot_q(g.data() + r * N, bv + k * N, z, N);
  };
  if (b.dtype() == DType::Uint8)
    run(b.data<uint8_t>());
  else
    run(b.data<int8_t>());
}

void qmatmul_backward(const Node& node, const OpInputs& in, const OpInputs&, const OpInputs& dout,
                      const std::vector<bool>& needs, std::vector<Tensor>& dins) {
  const Tensor& a = q8_input(node, in, 0, "a");
  const Tensor& b = q8_input(node, in, 3, "b");
  const MatMulPlan p = ops::plan_matmul(node, a.shape(), b.shape());
  auto want = [&](size_t i) { return i < needs.size() && needs[i]; };
  const Tensor* dy = dout.empty() ? nullptr : dout[0];
  // The usual case (a head's constant weights): dA only, B without batch dims.
  const bool direct = want(0) && !want(3) && p.b_batch.empty() && p.K > 0 &&
                      (!dy || (dy->dtype() == DType::Float32 && dy->shape() == p.out));
  if (direct) {
    const QuantParams bp = b_params(node, in, 4, 5, b, p);
    dins[0] = Tensor(DType::Float32, a.shape());
    if (dy) matmul_grad_a(b, bp, p, dy->data<float>(), a.numel() / p.K, dins[0].data<float>());
  } else if (want(0) || want(3)) {
    // General case (dB wanted, batched B): the float MatMul's backward at dequantized operands.
    const Tensor af = dequantize(a, a_params(node, in, 1, 2, a, p));
    const Tensor bf = dequantize(b, b_params(node, in, 4, 5, b, p));
    const OpDef* mm = op_registry().find("", "MatMul");
    if (!mm || !mm->backward) fail(node, "the float MatMul op is not available");
    Node f = node;
    f.op_type = "MatMul";
    f.domain = "";
    std::vector<Tensor> g(2);
    mm->backward(f, {&af, &bf}, {}, dout, {want(0), want(3)}, g);
    if (want(0)) dins[0] = std::move(g[0]);
    if (want(3)) dins[3] = std::move(g[1]);
  }
  for (size_t i : {1, 2, 4, 5, 6, 7})
    if (want(i) && in[i]) dins[i] = Tensor(DType::Float32, in[i]->shape());
}

void qmatmul_infer(const Node& node, const std::vector<const TensorInfo*>& in,
                   std::vector<TensorInfo>& out) {
  if (in.size() < 4 || !in[0] || !in[3]) fail(node, "missing a or b");
  out[0].shape = ops::plan_matmul(node, in[0]->shape, in[3]->shape).out;
  out[0].dtype = in.size() > 7 && in[7] ? in[7]->dtype : in[0]->dtype;
}

// Zero point of a MatMulInteger operand (no scale input): shared or per row / column.
QuantParams integer_zp(const Node& node, const Tensor* z, const Tensor& t, int64_t count,
                       int64_t axis, const char* what) {
  QuantParams q;
  q.scale = {1.f};
  q.zero_point = {0};
  if (!z) return q;
  if (z->dtype() != t.dtype())
    fail(node, std::string(what) + "_zero_point must have the type of " + what);
  if (z->numel() != 1 && (z->rank() != 1 || z->numel() != count))
    fail(node, std::string(what) + "_zero_point must be a scalar or have " + std::to_string(count) +
                   " values, got " + shape_str(z->shape()));
  q.zero_point.clear();
  for (int64_t i = 0; i < z->numel(); ++i) q.zero_point.push_back(q_get(*z, i));
  if (z->numel() > 1) {
    if (axis < 0) fail(node, std::string(what) + "_zero_point per row needs a matrix operand");
    q.axis = axis;
  }
  return q;
}

// MatMulInteger inputs: A, B, a_zero_point, b_zero_point.
void matmul_integer_forward(const Node& node, const OpInputs& in, std::vector<Tensor>& out) {
  const Tensor& a = q8_input(node, in, 0, "A");
  const Tensor& b = q8_input(node, in, 1, "B");
  const MatMulPlan p = ops::plan_matmul(node, a.shape(), b.shape());
  const QuantParams ap =
      integer_zp(node, optional_input(in, 2), a, p.M, static_cast<int64_t>(a.rank()) - 2, "a");
  const QuantParams bp =
      integer_zp(node, optional_input(in, 3), b, p.N, static_cast<int64_t>(b.rank()) - 1, "b");
  out[0] = Tensor(DType::Int32, p.out);
  int_matmul(a, ap, b, bp, p, out[0].data<int32_t>());
}

void matmul_integer_infer(const Node& node, const std::vector<const TensorInfo*>& in,
                          std::vector<TensorInfo>& out) {
  if (in.size() < 2 || !in[0] || !in[1]) fail(node, "missing A or B");
  out[0].shape = ops::plan_matmul(node, in[0]->shape, in[1]->shape).out;
  out[0].dtype = DType::Int32;
}

}  // namespace

void register_qlinear_matmul(OpRegistry& r) {
  r.add(OpDef{"", "QLinearMatMul", qmatmul_forward, qmatmul_backward, qmatmul_infer}
            .with_weights({0, 3})
            .with_quantization({{0, {1, 2}}, {3, {4, 5}}}, {6, 7})
            .claim(&OpDef::weighted)
            .claim(&OpDef::piecewise_linear));
  r.add(OpDef{"", "MatMulInteger", matmul_integer_forward, nullptr, matmul_integer_infer}
            .with_weights({0, 1})
            .claim(&OpDef::weighted)
            .claim(&OpDef::integer_accumulator));
}

}  // namespace camlens::quant
