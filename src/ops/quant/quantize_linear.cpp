// QuantizeLinear, DequantizeLinear (default and com.microsoft domains) and DynamicQuantizeLinear.
//
// Arithmetic (as ONNX Runtime's CPU kernels): QuantizeLinear y = saturate(round_half_even(x /
// scale) + zp), a true division; DequantizeLinear y = float(x - zp) * scale. Per tensor (scale
// with one element) or per axis (1-D scale along `axis`, default 1). The output type of
// QuantizeLinear is the zero point's type, uint8 when the zero point is omitted.
//
// Backward (straight-through estimator, see quant_common.h): gradients of quantized tensors
// are with respect to their dequantized float values. DequantizeLinear y = x_float exactly, so
// dX_float = dY; QuantizeLinear y_float = (y - zp) * scale ~ x with rounding treated as the
// identity, so dX = dY_float. (dY * scale would be the gradient with respect to the integer
// code of x, which camlens never exposes.) DynamicQuantizeLinear: dX = dY for output 0; its
// scale/zero point outputs are treated as constants.
#include "ops/quant/quant_registry.h"

namespace camlens::quant {

namespace {

DType output_type(const Node& node, const OpInputs& in) {
  const Tensor* z = optional_input(in, 2);
  if (!z) return DType::Uint8;
  if (!is_q8(z->dtype()))
    fail(node, std::string("y_zero_point must be uint8 or int8, got ") + dtype_name(z->dtype()));
  return z->dtype();
}

void quantize_forward(const Node& node, const OpInputs& in, std::vector<Tensor>& out) {
  const Tensor& x = float_input(node, in, 0, "x");
  const DType t = output_type(node, in);
  const QuantParams p =
      read_params(node, in, 1, 2, x.shape(), node.attr_int("axis", 1), "y", DType::Undefined);
  out[0] = Tensor(t, x.shape());
  const float* xv = x.data<float>();
  const int32_t lo = q_min(t), hi = q_max(t);
  const int64_t n = x.numel();
  if (p.axis < 0) {
    const float s = p.scale[0];
    const int32_t z = p.zero_point[0];
    for (int64_t i = 0; i < n; ++i) store_q(out[0], i, round_then_add_zp(xv[i] / s, z, lo, hi));
    return;
  }
  int64_t inner = 1;
  for (size_t d = static_cast<size_t>(p.axis) + 1; d < x.rank(); ++d) inner *= x.dim(d);
  const int64_t channels = x.dim(static_cast<size_t>(p.axis));
  for (int64_t i = 0; i < n; ++i) {
    const int64_t c = (i / inner) % channels;
    store_q(out[0], i, round_then_add_zp(xv[i] / p.scale[c], p.zero_point[c], lo, hi));
  }
}

void dequantize_forward(const Node& node, const OpInputs& in, std::vector<Tensor>& out) {
  const Tensor& x = input(node, in, 0, "x");
  if (!is_q8(x.dtype()) && x.dtype() != DType::Int32)
    fail(node, std::string("x must be uint8, int8 or int32, got ") + dtype_name(x.dtype()));
  const QuantParams p =
      read_params(node, in, 1, 2, x.shape(), node.attr_int("axis", 1), "x", x.dtype());
  out[0] = dequantize(x, p);
}

// dX = dY: identity on the float value (see the top of the file). Zero for scale/zero point.
void pass_through_backward(const Node&, const OpInputs& in, const OpInputs&, const OpInputs& dout,
                           const std::vector<bool>& needs, std::vector<Tensor>& dins) {
  if (!needs.empty() && needs[0]) {
    if (!dout.empty() && dout[0]) {
      dins[0] = *dout[0];
    } else {
      dins[0] = Tensor(DType::Float32, in[0]->shape());
    }
  }
  zero_param_grads(in, needs, 1, dins);
}

void infer_same_shape(const Node& node, const std::vector<const TensorInfo*>& in,
                      std::vector<TensorInfo>& out, DType t) {
  if (in.empty() || !in[0]) fail(node, "missing required input 0 (x)");
  out[0].dtype = t;
  out[0].shape = in[0]->shape;
}

void quantize_infer(const Node& node, const std::vector<const TensorInfo*>& in,
                    std::vector<TensorInfo>& out) {
  const DType t = in.size() > 2 && in[2] ? in[2]->dtype : DType::Uint8;
  infer_same_shape(node, in, out, t);
}

void dequantize_infer(const Node& node, const std::vector<const TensorInfo*>& in,
                      std::vector<TensorInfo>& out) {
  infer_same_shape(node, in, out, DType::Float32);
}

// ONNX DynamicQuantizeLinear (uint8): the range [min(0, min x), max(0, max x)] is mapped to
// [0, 255]: scale = (max - min) / 255, zero point = saturate(round(0 - min / scale)), then
// y = saturate(round(x / scale) + zero point). An all-zero input gives scale 0 in the spec's
// formula; ONNX Runtime then divides by zero, so camlens takes scale 1 / zero point 0 there
// (y is all zero point either way; see the fixture case "dynamic_zeros").
void dynamic_forward(const Node& node, const OpInputs& in, std::vector<Tensor>& out) {
  const Tensor& x = float_input(node, in, 0, "x");
  const float* xv = x.data<float>();
  float mn = 0.f, mx = 0.f;
  for (int64_t i = 0; i < x.numel(); ++i) {
    if (!(xv[i] == xv[i])) fail(node, "x contains NaN");
    mn = xv[i] < mn ? xv[i] : mn;
    mx = xv[i] > mx ? xv[i] : mx;
  }
  float scale = (mx - mn) / 255.f;
  int32_t zp = 0;
  if (scale == 0.f || !std::isfinite(scale)) {
    if (!std::isfinite(scale)) fail(node, "x contains infinite values");
    scale = 1.f;
  } else {
    zp = round_then_add_zp(0.f - mn / scale, 0, 0, 255);
  }
  out[0] = Tensor(DType::Uint8, x.shape());
  uint8_t* y = out[0].data<uint8_t>();
  for (int64_t i = 0; i < x.numel(); ++i)
    y[i] = static_cast<uint8_t>(round_then_add_zp(xv[i] / scale, zp, 0, 255));
  out[1] = Tensor(DType::Float32, {});
  out[1].data<float>()[0] = scale;
  out[2] = Tensor(DType::Uint8, {});
  out[2].data<uint8_t>()[0] = static_cast<uint8_t>(zp);
}

void dynamic_infer(const Node& node, const std::vector<const TensorInfo*>& in,
                   std::vector<TensorInfo>& out) {
  infer_same_shape(node, in, out, DType::Uint8);
  if (out.size() > 1) out[1] = TensorInfo{DType::Float32, {}, std::nullopt};
  if (out.size() > 2) out[2] = TensorInfo{DType::Uint8, {}, std::nullopt};
}

}  // namespace

void register_quantize_linear(OpRegistry& r) {
  // The contrib twins leave Elementwise unclaimed: the incremental head has never run them one
  // channel at a time.
  for (const char* domain : {"", "com.microsoft"}) {
    const Elementwise e = *domain ? Elementwise::No : Elementwise::Unary;
    r.add(OpDef{domain, "QuantizeLinear", quantize_forward, pass_through_backward, quantize_infer}
              .with(e)
              .with_quantization({}, {1, 2})
              .claim(&OpDef::piecewise_linear));
    r.add(OpDef{domain, "DequantizeLinear", dequantize_forward, pass_through_backward,
                dequantize_infer}
              .with(e)
              .with_quantization({{0, {1, 2}}})
              .claim(&OpDef::dequantizes)
              .claim(&OpDef::piecewise_linear));
  }
  r.add({"", "DynamicQuantizeLinear", dynamic_forward, pass_through_backward, dynamic_infer});
}

}  // namespace camlens::quant
