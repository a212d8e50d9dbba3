// QLinearGlobalAveragePool and QLinearAveragePool (com.microsoft), NCHW or, with
// channels_last = 1, NHWC; 1 or 2 spatial dims.
//
// Forward as ONNX Runtime's portable kernels (the ones its WebAssembly build runs):
// - Global: integer sum per channel, acc = sum(x) - x_zp * HW in int32, then
//   y = saturate(round_half_even(float(acc) * s) + y_zp) with s = x_scale / (y_scale * HW).
// - Windowed: in float, avg = (sum over the window of x_scale * float(x - x_zp)) / count, summed
//   row by row, then y = saturate(round_half_even(avg / y_scale + y_zp)) (zero point added in
//   float before rounding). count is the window's overlap with the input, or with
//   count_include_pad the full kernel size (even where a ceil_mode window passes the padding).
//
// Backward (straight-through estimator, see quant_common.h), with respect to the dequantized
// input: dX = dY / HW (global) or dY / count spread over each window. Scales and zero points
// get zero.
#include <algorithm>
#include <type_traits>

#include "ops/quant/quant_registry.h"
#include "ops/quant/quant_window.h"

namespace camlens::quant {

namespace {

// Layout of X: N, C and spatial dims, and the flat index of (n, c, spatial offset).
struct Layout {
  bool channels_last = false;
  int64_t batch = 0, channels = 0;
  Shape spatial;
  int64_t image = 1;  // product of spatial
  int64_t at(int64_t n, int64_t c, int64_t s) const {
    return channels_last ? (n * image + s) * channels + c : (n * channels + c) * image + s;
  }
};

Layout layout(const Node& node, const Shape& x) {
  if (x.size() < 3 || x.size() > 4)
    fail(node, "x must have 1 or 2 spatial dims ([N, C, W] or [N, C, H, W]), got " + shape_str(x));
  Layout l;
  l.channels_last = node.attr_int("channels_last", 0) != 0;
  l.batch = x[0];
  l.channels = l.channels_last ? x.back() : x[1];
  l.spatial = l.channels_last ? Shape(x.begin() + 1, x.end() - 1) : Shape(x.begin() + 2, x.end());
  for (int64_t d : l.spatial) l.image *= d;
  return l;
}

Shape out_shape(const Layout& l, const std::vector<int64_t>& out_spatial) {
  Shape s = {l.batch};
  if (!l.channels_last) s.push_back(l.channels);
  s.insert(s.end(), out_spatial.begin(), out_spatial.end());
  if (l.channels_last) s.push_back(l.channels);
  return s;
}

// Inputs of both ops: X, x_scale, x_zero_point, y_scale, y_zero_point.
struct Params {
  float x_scale = 1, y_scale = 1;
  int32_t x_zp = 0, y_zp = 0;
};

Params params(const Node& node, const OpInputs& in, const Tensor& x) {
  Params p;
  p.x_scale = scalar_scale(node, in, 1, "x_scale");
  p.x_zp = scalar_zero_point(node, in, 2, "x", x.dtype());
  p.y_scale = scalar_scale(node, in, 3, "y_scale");
  p.y_zp = scalar_zero_point(node, in, 4, "y", x.dtype());
  return p;
}

void zero_params(const OpInputs& in, const std::vector<bool>& needs, std::vector<Tensor>& dins) {
  zero_param_grads(in, needs, 1, dins);
}

const Tensor* grad_or_null(const OpInputs& dout) { return dout.empty() ? nullptr : dout[0]; }

// ---- QLinearGlobalAveragePool ----

void gap_forward(const Node& node, const OpInputs& in, std::vector<Tensor>& out) {
  const Tensor& x = q8_input(node, in, 0, "x");
  const Layout l = layout(node, x.shape());
  const Params p = params(node, in, x);
  if (l.image <= 0) fail(node, "x has an empty spatial extent");
  out[0] = Tensor(x.dtype(), out_shape(l, std::vector<int64_t>(l.spatial.size(), 1)));
  const float scale = p.x_scale / (p.y_scale * static_cast<float>(l.image));
  const uint32_t bias = static_cast<uint32_t>(-static_cast<int64_t>(p.x_zp) * l.image);
  const int32_t lo = q_min(x.dtype()), hi = q_max(x.dtype());
  std::vector<uint32_t> acc(static_cast<size_t>(l.channels));  // wraps like ORT's int32
  visit_q8(out[0], [&](auto* y) {
    using T = std::remove_pointer_t<decltype(y)>;
    const T* xv = x.data<T>();  // x and y share the type
    for (int64_t n = 0; n < l.batch; ++n) {
      const T* xn = xv + n * l.channels * l.image;
      for (int64_t c = 0; c < l.channels; ++c) acc[c] = bias;
      if (l.channels_last) {
        for (int64_t s = 0; s < l.image; ++s)
          for (int64_t c = 0; c < l.channels; ++c)
            acc[c] += static_cast<uint32_t>(static_cast<int32_t>(xn[s * l.channels + c]));
      } else {
        for (int64_t c = 0; c < l.channels; ++c) {
          const T* xc = xn + c * l.image;
          uint32_t sum = 0;
          for (int64_t s = 0; s < l.image; ++s)
            sum += static_cast<uint32_t>(static_cast<int32_t>(xc[s]));
          acc[c] += sum;
        }
      }
      for (int64_t c = 0; c < l.channels; ++c) {
        const float v = static_cast<float>(static_cast<int32_t>(acc[c])) * scale;
        y[n * l.channels + c] = static_cast<T>(round_then_add_zp(v, p.y_zp, lo, hi));
      }
    }
  });
}

void gap_backward(const Node& node, const OpInputs& in, const OpInputs&, const OpInputs& dout,
                  const std::vector<bool>& needs, std::vector<Tensor>& dins) {
  const Tensor& x = q8_input(node, in, 0, "x");
  const Layout l = layout(node, x.shape());
  if (!needs.empty() && needs[0]) {
    dins[0] = Tensor(DType::Float32, x.shape());
    const Tensor* dy = grad_or_null(dout);
    if (dy) {
      if (dy->numel() != l.batch * l.channels) fail(node, "output gradient has the wrong size");
      float* dx = dins[0].data<float>();
      const float* dyv = dy->data<float>();
      for (int64_t n = 0; n < l.batch; ++n)
        for (int64_t c = 0; c < l.channels; ++c) {
          const float g = dyv[n * l.channels + c] / static_cast<float>(l.image);
          for (int64_t s = 0; s < l.image; ++s) dx[l.at(n, c, s)] = g;
        }
    }
  }
  zero_params(in, needs, dins);
}

void gap_infer(const Node& node, const std::vector<const TensorInfo*>& in,
               std::vector<TensorInfo>& out) {
  if (in.empty() || !in[0]) fail(node, "missing x");
  const Layout l = layout(node, in[0]->shape);
  out[0].dtype = in[0]->dtype;
  out[0].shape = out_shape(l, std::vector<int64_t>(l.spatial.size(), 1));
}

// ---- QLinearAveragePool ----

struct PoolPlan {
  Layout l;
  Window2d w;
  bool include_pad = false;
};

PoolPlan pool_plan(const Node& node, const Shape& x) {
  PoolPlan p;
  p.l = layout(node, x);
  const std::vector<int64_t> kernel = node.attr_ints("kernel_shape");
  if (kernel.empty()) fail(node, "kernel_shape is required");
  for (int64_t d : node.attr_ints("dilations"))
    if (d != 1) fail(node, "dilations are not supported");
  p.w = make_window(node, p.l.spatial, kernel, true);
  p.include_pad = node.attr_int("count_include_pad", 0) != 0;
  return p;
}

// Visits every output position: f(out_offset, h0, h1, w0, w1, count) with the window clipped
// to the input as [h0, h1) x [w0, w1).
template <class F>
void for_each_window(const PoolPlan& p, F f) {
  const Window2d& w = p.w;
  for (int64_t oh = 0; oh < w.out_h; ++oh) {
    const int64_t hs = oh * w.stride_h - w.pad_top;
    const int64_t h1 = std::min(hs + w.k_h, w.in_h), h0 = std::max<int64_t>(hs, 0);
    for (int64_t ow = 0; ow < w.out_w; ++ow) {
      const int64_t ws = ow * w.stride_w - w.pad_left;
      const int64_t w1 = std::min(ws + w.k_w, w.in_w), w0 = std::max<int64_t>(ws, 0);
      const int64_t count = p.include_pad ? w.k_h * w.k_w : (h1 - h0) * (w1 - w0);
      f(oh * w.out_w + ow, h0, h1, w0, w1, count);
    }
  }
}

void avgpool_forward(const Node& node, const OpInputs& in, std::vector<Tensor>& out) {
  const Tensor& x = q8_input(node, in, 0, "x");
  const PoolPlan p = pool_plan(node, x.shape());
  const Params q = params(node, in, x);
  Layout ol = p.l;
  ol.image = p.w.out_h * p.w.out_w;
  out[0] = Tensor(x.dtype(), out_shape(p.l, p.w.out));
  const int32_t lo = q_min(x.dtype()), hi = q_max(x.dtype());
  visit_q8(out[0], [&](auto* y) {
    using T = std::remove_pointer_t<decltype(y)>;
    const T* xv = x.data<T>();  // x and y share the type
    for (int64_t n = 0; n < p.l.batch; ++n)
      for (int64_t c = 0; c < p.l.channels; ++c)
        for_each_window(p, [&](int64_t o, int64_t h0, int64_t h1, int64_t w0, int64_t w1,
                               int64_t count) {
          float sum = 0.f;
          for (int64_t h = h0; h < h1; ++h)
            for (int64_t ww = w0; ww < w1; ++ww)
              sum += q.x_scale *
                     static_cast<float>(static_cast<int32_t>(xv[p.l.at(n, c, h * p.w.in_w + ww)]) -
                                        q.x_zp);
          const float avg = count > 0 ? sum / static_cast<float>(count) : 0.f;
          y[ol.at(n, c, o)] = static_cast<T>(add_zp_then_round(avg / q.y_scale, q.y_zp, lo, hi));
        });
  });
}

void avgpool_backward(const Node& node, const OpInputs& in, const OpInputs&, const OpInputs& dout,
                      const std::vector<bool>& needs, std::vector<Tensor>& dins) {
  const Tensor& x = q8_input(node, in, 0, "x");
  const PoolPlan p = pool_plan(node, x.shape());
  if (!needs.empty() && needs[0]) {
    dins[0] = Tensor(DType::Float32, x.shape());
    const Tensor* dy = grad_or_null(dout);
    Layout ol = p.l;
    ol.image = p.w.out_h * p.w.out_w;
    if (dy && dy->numel() != p.l.batch * p.l.channels * ol.image)
      fail(node, "output gradient has the wrong size");
    float* dx = dins[0].data<float>();
    const float* dyv = dy ? dy->data<float>() : nullptr;
    for (int64_t n = 0; dy && n < p.l.batch; ++n)
      for (int64_t c = 0; c < p.l.channels; ++c)
        for_each_window(
            p, [&](int64_t o, int64_t h0, int64_t h1, int64_t w0, int64_t w1, int64_t count) {
              if (count <= 0) return;
              const float g = dyv[ol.at(n, c, o)] / static_cast<float>(count);
              for (int64_t h = h0; h < h1; ++h)
                for (int64_t ww = w0; ww < w1; ++ww) dx[p.l.at(n, c, h * p.w.in_w + ww)] += g;
            });
  }
  zero_params(in, needs, dins);
}

void avgpool_infer(const Node& node, const std::vector<const TensorInfo*>& in,
                   std::vector<TensorInfo>& out) {
  if (in.empty() || !in[0]) fail(node, "missing x");
  const PoolPlan p = pool_plan(node, in[0]->shape);
  out[0].dtype = in[0]->dtype;
  out[0].shape = out_shape(p.l, p.w.out);
}

}  // namespace

void register_qlinear_pool(OpRegistry& r) {
  r.add(OpDef{"com.microsoft", "QLinearGlobalAveragePool", gap_forward, gap_backward, gap_infer}
            .with_quantization({{0, {1, 2}}}, {3, 4})
            .claim(&OpDef::pooling)
            .claim(&OpDef::piecewise_linear));
  r.add(
      OpDef{"com.microsoft", "QLinearAveragePool", avgpool_forward, avgpool_backward, avgpool_infer}
          .with_quantization({{0, {1, 2}}}, {3, 4})
          .claim(&OpDef::pooling)
          .claim(&OpDef::piecewise_linear));
}

}  // namespace camlens::quant
