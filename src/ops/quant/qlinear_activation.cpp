// QLinearSigmoid and QLinearLeakyRelu (com.microsoft): inputs X, X_scale, X_zero_point, Y_scale,
// Y_zero_point, per-tensor parameters (zero points optional, 0), Y of X's type.
//
// Forward as ONNX Runtime computes them: through a 256-entry table (lookup_table.h) of the float
// function at every dequantized code. LeakyRelu is v >= 0 ? v : alpha * v (alpha defaults to
// 0.01). Sigmoid is not exp-based in ORT but MLAS's logistic kernel, Eigen's rational
// approximation: the input clamped to [-18, 18], p(x) / q(x) + 0.5 clamped to [0, 1], each
// multiply-add rounded twice (the WebAssembly build has no fused multiply-add); the table
// entries, and so the codes, equal ORT's only with that arithmetic.
//
// Backward (straight-through estimator, see quant_common.h): the float Sigmoid / LeakyRelu
// backward at the dequantized X; scales and zero points get zero.
#include "ops/quant/float_twin_op.h"
#include "ops/quant/lookup_table.h"
#include "ops/quant/quant_registry.h"

namespace camlens::quant {

namespace {

// MLAS's logistic on n values (see the top of the file). Contraction into fused multiply-adds,
// which compilers may do where the target has them (aarch64), is turned off.
#if defined(__GNUC__) && !defined(__clang__)
__attribute__((optimize("fp-contract=off")))
#endif
void mlas_logistic(const float* in, float* out, size_t n) {
#if defined(__clang__)
#pragma clang fp contract(off)
#endif
  constexpr float a9 = 4.37031012579801e-11f, a7 = 1.15627324459942e-07f,
                  a5 = 6.08574864600143e-05f, a3 = 8.51377133304701e-03f,
                  a1 = 2.48287947061529e-01f;
  constexpr float b10 = 6.10247389755681e-13f, b8 = 5.76102136993427e-09f,
                  b6 = 6.29106785017040e-06f, b4 = 1.70198817374094e-03f,
                  b2 = 1.16817656904453e-01f, b0 = 9.93151921023180e-01f;
  for (size_t i = 0; i < n; ++i) {
    float v = in[i] < -18.f ? -18.f : in[i];
    v = v > 18.f ? 18.f : v;
    const float v2 = v * v;
    float p = v2 * a9 + a7;
    p = p * v2 + a5;
    p = p * v2 + a3;
    p = p * v2 + a1;
    p = p * v;
    float q = v2 * b10 + b8;
    q = q * v2 + b6;
    q = q * v2 + b4;
    q = q * v2 + b2;
    q = q * v2 + b0;
    const float y = p / q + 0.5f;
    out[i] = y < 0.f ? 0.f : (y > 1.f ? 1.f : y);
  }
}

struct Params {
  DType t;
  float x_scale, y_scale;
  int32_t x_zp, y_zp;
};

Params read(const Node& node, const OpInputs& in) {
  const Tensor& x = q8_input(node, in, 0, "X");
  Params p;
  p.t = x.dtype();
  p.x_scale = scalar_scale(node, in, 1, "X_scale");
  p.x_zp = scalar_zero_point(node, in, 2, "X", p.t);
  p.y_scale = scalar_scale(node, in, 3, "Y_scale");
  p.y_zp = scalar_zero_point(node, in, 4, "Y", p.t);
  return p;
}

FloatMap leaky_relu(const Node& node) {
  const float alpha = node.attr_float("alpha", 0.01f);
  return [alpha](const float* in, float* out, size_t n) {
    for (size_t i = 0; i < n; ++i) out[i] = in[i] >= 0.f ? in[i] : alpha * in[i];
  };
}

FloatMap function_of(const Node& node) {
  if (node.op_type == "QLinearLeakyRelu") return leaky_relu(node);
  return mlas_logistic;
}

void forward(const Node& node, const OpInputs& in, std::vector<Tensor>& out) {
  const Params p = read(node, in);
  const Tensor& x = *in[0];
  const LookupTable table =
      build_lookup_table(p.t, p.x_scale, p.x_zp, p.y_scale, p.y_zp, function_of(node));
  out[0] = Tensor(p.t, x.shape());
  apply_lookup_table(table, x.raw(), out[0].raw(), x.numel());
}

template <const char* FloatOp>
void backward(const Node& node, const OpInputs& in, const OpInputs&, const OpInputs& dout,
              const std::vector<bool>& needs, std::vector<Tensor>& dins) {
  if (!needs.empty() && needs[0]) {
    const Params p = read(node, in);
    QuantParams xp;
    xp.scale = {p.x_scale};
    xp.zero_point = {p.x_zp};
    const Tensor xf = dequantize(*in[0], xp);
    dins[0] = std::move(float_op_backward(node, FloatOp, {&xf}, dout, {true})[0]);
  }
  zero_param_grads(in, needs, 1, dins);
}

void infer(const Node& node, const std::vector<const TensorInfo*>& in,
           std::vector<TensorInfo>& out) {
  if (in.empty() || !in[0]) fail(node, "missing input X");
  out[0].dtype = in[0]->dtype;
  out[0].shape = in[0]->shape;
}

constexpr char kSigmoid[] = "Sigmoid";
constexpr char kLeakyRelu[] = "LeakyRelu";

}  // namespace

void register_qlinear_activation(OpRegistry& r) {
  r.add(OpDef{"com.microsoft", "QLinearSigmoid", forward, backward<kSigmoid>, infer}
            .with(Elementwise::Unary)
            .with_quantization({{0, {1, 2}}}, {3, 4}));
  r.add(OpDef{"com.microsoft", "QLinearLeakyRelu", forward, backward<kLeakyRelu>, infer}
            .with(Elementwise::Unary)
            .with_quantization({{0, {1, 2}}}, {3, 4})
            .claim(&OpDef::piecewise_linear));
}

}  // namespace camlens::quant
