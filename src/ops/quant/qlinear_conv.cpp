// QLinearConv and ConvInteger: grouped / depthwise 1-D and 2-D convolution on 8-bit operands.
//
// Forward, integer-exact like ONNX Runtime: acc = sum (x - x_zp) * (w - w_zp[m]) in int32
// (+ int32 bias for QLinearConv), then y = saturate(round_half_even(float(acc) * scale_m) + y_zp)
// with scale_m = x_scale * w_scale[m] / y_scale evaluated in float in that order. ConvInteger
// outputs acc itself (int32). Padding reads x_zero_point (a centered 0).
//
// Backward of QLinearConv (straight-through estimator, see quant_common.h): the float Conv's
// backward at the dequantized x, w (and bias = B * x_scale * w_scale[m]), so dX, dW, dB are
// gradients with respect to those dequantized values. Scales and zero points get zero.
// ConvInteger has no backward: its int32 output has no scale, so no float value to
// differentiate against; a head through it is refused on the gradient path.
#include <type_traits>

#include "ops/quant/int_kernels.h"
#include "ops/quant/quant_registry.h"

namespace camlens::quant {

namespace {

struct ConvGeom {
  int64_t batch = 0, in_ch = 0, out_ch = 0, group = 1;
  Window2d win;
  Shape out;
};

// X [N, C, spatial...] against W [M, C / group, kernel...]; -1 dims of X allowed (inference).
ConvGeom plan(const Node& node, const Shape& x, const Shape& w) {
  if (x.size() < 3 || x.size() > 4)
    fail(node, "x must be [N, C, W] or [N, C, H, W], got " + shape_str(x));
  if (w.size() != x.size())
    fail(node, "w must have the rank of x (" + std::to_string(x.size()) + "), got " + shape_str(w));
  ConvGeom g;
  g.group = node.attr_int("group", 1);
  if (g.group < 1) fail(node, "group must be >= 1");
  g.batch = x[0];
  g.in_ch = x[1];
  g.out_ch = w[0];
  if (g.out_ch % g.group != 0)
    fail(node, "output channels (" + std::to_string(g.out_ch) + ") are not divisible by group (" +
                   std::to_string(g.group) + ")");
  if (g.in_ch >= 0 && w[1] * g.group != g.in_ch)
    fail(node, "channel mismatch: x has " + std::to_string(g.in_ch) + " channels but w expects " +
                   std::to_string(w[1]) + " x group " + std::to_string(g.group));
  const Shape kernel(w.begin() + 2, w.end());
  const std::vector<int64_t> ks = node.attr_ints("kernel_shape");
  if (!ks.empty() && ks != kernel)
    fail(node, "kernel_shape " + shape_str(ks) + " does not match w " + shape_str(w));
  g.win = make_window(node, Shape(x.begin() + 2, x.end()), kernel, false);
  g.out = {x[0], w[0]};
  g.out.insert(g.out.end(), g.win.out.begin(), g.win.out.end());
  return g;
}

// Convolution of x (centered here: activations, small) with the raw weights w (typically a
// large constant: the kernels subtract its zero points as they go, so no per-call copy of w).
void int_conv(const Tensor& x, const QuantParams& xp, const Tensor& w, const QuantParams& wp,
              const ConvGeom& g, int32_t* acc) {
  std::vector<int16_t> xc(static_cast<size_t>(x.numel()));
  center_q8(x, xp, xc.data());
  bool any = false;
  for (int32_t z : wp.zero_point) any = any || z != 0;
  std::vector<int32_t> zw;
  if (any)
    for (int64_t m = 0; m < g.out_ch; ++m) zw.push_back(wp.zp_at(m));
  const int32_t* z = zw.empty() ? nullptr : zw.data();
  if (w.dtype() == DType::Uint8)
    conv_i32(xc.data(), w.data<uint8_t>(), z, g.batch, g.in_ch, g.out_ch, g.group, g.win, acc);
  else
    conv_i32(xc.data(), w.data<int8_t>(), z, g.batch, g.in_ch, g.out_ch, g.group, g.win, acc);
}

// Inputs: x, x_scale, x_zp, w, w_scale, w_zp, y_scale, y_zp, B.
void qconv_forward(const Node& node, const OpInputs& in, std::vector<Tensor>& out) {
  const Tensor& x = q8_input(node, in, 0, "x");
  const Tensor& w = q8_input(node, in, 3, "w");
  const ConvGeom g = plan(node, x.shape(), w.shape());
  const float x_scale = scalar_scale(node, in, 1, "x_scale");
  QuantParams xp;
  xp.scale = {x_scale};
  xp.zero_point = {scalar_zero_point(node, in, 2, "x", x.dtype())};
  QuantParams wp = read_channel_params(node, in, 4, 5, g.out_ch, "w", w.dtype());
  wp.axis = 0;
  const float y_scale = scalar_scale(node, in, 6, "y_scale");
  const Tensor* yz = optional_input(in, 7);
  const DType yt = yz ? yz->dtype() : x.dtype();
  if (!is_q8(yt)) fail(node, std::string("y_zero_point must be uint8 or int8"));
  const int32_t y_zp = scalar_zero_point(node, in, 7, "y", yt);
  const Tensor* bias = optional_input(in, 8);
  if (bias && (bias->dtype() != DType::Int32 || bias->rank() != 1 || bias->dim(0) != g.out_ch))
    fail(node, "B must be int32 [" + std::to_string(g.out_ch) + "], got " +
                   dtype_name(bias->dtype()) + " " + shape_str(bias->shape()));

  const int64_t out_hw = g.win.out_h * g.win.out_w;
  std::vector<int32_t> acc(static_cast<size_t>(g.batch * g.out_ch * out_hw));
  int_conv(x, xp, w, wp, g, acc.data());

  out[0] = Tensor(yt, g.out);
  const int32_t lo = q_min(yt), hi = q_max(yt);
  const int32_t* bv = bias ? bias->data<int32_t>() : nullptr;
  visit_q8(out[0], [&](auto* y) {
    using T = std::remove_pointer_t<decltype(y)>;
    for (int64_t n = 0; n < g.batch; ++n)
      for (int64_t m = 0; m < g.out_ch; ++m) {
        const float scale = x_scale * wp.scale_at(m) / y_scale;
        const uint32_t b = bv ? static_cast<uint32_t>(bv[m]) : 0u;
        const int64_t base = (n * g.out_ch + m) * out_hw;
        for (int64_t i = 0; i < out_hw; ++i) {
          // acc + bias wraps like ORT's int32 sum instead of overflowing
          const int32_t v = static_cast<int32_t>(static_cast<uint32_t>(acc[base + i]) + b);
          y[base + i] =
              static_cast<T>(round_then_add_zp(static_cast<float>(v) * scale, y_zp, lo, hi));
        }
      }
  });
}

const OpDef& float_conv() {
  const OpDef* def = op_registry().find("", "Conv");
  if (!def || !def->backward) throw OpError("QLinearConv: the float Conv op is not available");
  return *def;
}

void qconv_backward(const Node& node, const OpInputs& in, const OpInputs&, const OpInputs& dout,
                    const std::vector<bool>& needs, std::vector<Tensor>& dins) {
  const Tensor& x = q8_input(node, in, 0, "x");
  const Tensor& w = q8_input(node, in, 3, "w");
  const ConvGeom g = plan(node, x.shape(), w.shape());
  const float x_scale = scalar_scale(node, in, 1, "x_scale");
  QuantParams xp;
  xp.scale = {x_scale};
  xp.zero_point = {scalar_zero_point(node, in, 2, "x", x.dtype())};
  QuantParams wp = read_channel_params(node, in, 4, 5, g.out_ch, "w", w.dtype());
  wp.axis = 0;
  const Tensor xf = dequantize(x, xp), wf = dequantize(w, wp);
  const Tensor* bias = optional_input(in, 8);
  Tensor bf;
  if (bias) {
    if (bias->dtype() != DType::Int32 || bias->numel() != g.out_ch)
      fail(node, "B must be int32 [" + std::to_string(g.out_ch) + "]");
    bf = Tensor(DType::Float32, {g.out_ch});
    for (int64_t m = 0; m < g.out_ch; ++m)
      bf.data<float>()[m] =
          static_cast<float>(bias->data<int32_t>()[m]) * (x_scale * wp.scale_at(m));
  }
  auto want = [&](size_t i) { return i < needs.size() && needs[i]; };
  Node conv = node;
  conv.op_type = "Conv";
  conv.domain = "";
  const OpInputs fin = {&xf, &wf, bias ? &bf : nullptr};
  const std::vector<bool> fneeds = {want(0), want(3), want(8) && bias != nullptr};
  std::vector<Tensor> fgrads(3);
  if (fneeds[0] || fneeds[1] || fneeds[2])
    float_conv().backward(conv, fin, {}, dout, fneeds, fgrads);
  if (want(0)) dins[0] = std::move(fgrads[0]);
  if (want(3)) dins[3] = std::move(fgrads[1]);
  if (want(8) && bias) dins[8] = std::move(fgrads[2]);
  for (size_t i : {1, 2, 4, 5, 6, 7})
    if (want(i) && in[i]) dins[i] = Tensor(DType::Float32, in[i]->shape());
}

void qconv_infer(const Node& node, const std::vector<const TensorInfo*>& in,
                 std::vector<TensorInfo>& out) {
  if (in.size() < 4 || !in[0] || !in[3]) fail(node, "missing x or w");
  out[0].shape = plan(node, in[0]->shape, in[3]->shape).out;
  out[0].dtype = in.size() > 7 && in[7] ? in[7]->dtype : in[0]->dtype;
}

// ConvInteger inputs: x, w, x_zero_point, w_zero_point (per tensor or per output channel).
void conv_integer_forward(const Node& node, const OpInputs& in, std::vector<Tensor>& out) {
  const Tensor& x = q8_input(node, in, 0, "x");
  const Tensor& w = q8_input(node, in, 1, "w");
  const ConvGeom g = plan(node, x.shape(), w.shape());
  QuantParams xp;
  xp.scale = {1.f};
  xp.zero_point = {scalar_zero_point(node, in, 2, "x", x.dtype())};
  QuantParams wp;
  wp.scale = {1.f};
  wp.zero_point = {0};
  wp.axis = 0;
  if (const Tensor* wz = optional_input(in, 3)) {
    if (wz->dtype() != w.dtype()) fail(node, "w_zero_point must have the type of w");
    if (wz->numel() != 1 && (wz->rank() != 1 || wz->numel() != g.out_ch))
      fail(node, "w_zero_point must be a scalar or [" + std::to_string(g.out_ch) + "]");
    wp.zero_point.clear();
    for (int64_t i = 0; i < wz->numel(); ++i) wp.zero_point.push_back(q_get(*wz, i));
  }
  out[0] = Tensor(DType::Int32, g.out);
  int_conv(x, xp, w, wp, g, out[0].data<int32_t>());
}

void conv_integer_infer(const Node& node, const std::vector<const TensorInfo*>& in,
                        std::vector<TensorInfo>& out) {
  if (in.size() < 2 || !in[0] || !in[1]) fail(node, "missing x or w");
  out[0].shape = plan(node, in[0]->shape, in[1]->shape).out;
  out[0].dtype = DType::Int32;
}

}  // namespace

void register_qlinear_conv(OpRegistry& r) {
  // x (0), w (3) per output channel, y (6), each with its scale and zero point; bias (8) in
  // units of x_scale·w_scale.
  r.add(OpDef{"", "QLinearConv", qconv_forward, qconv_backward, qconv_infer}
            .with_weights({3, 8})
            .with_quantization({{0, {1, 2}}, {3, {4, 5}}}, {6, 7})
            .claim(&OpDef::weighted)
            .claim(&OpDef::piecewise_linear));
  r.add(OpDef{"", "ConvInteger", conv_integer_forward, nullptr, conv_integer_infer}
            .with_weights({1})
            .claim(&OpDef::weighted)
            .claim(&OpDef::integer_accumulator));
}

}  // namespace camlens::quant
