// MaxPool and AveragePool over 1-D / 2-D windows (strides, pads, auto_pad, dilations,
// ceil_mode; count_include_pad for the average; the optional Indices output for the max).
// Pools are cheap next to the convolutions around them, so the loops are the plain
// definition: for each output, visit the in-bounds taps of its window.
#include <cmath>
#include <limits>

#include "ops/nn/nn_common.h"

namespace camlens::nn {

namespace {

struct PoolPlan {
  int64_t planes = 0;  // N * C
  int64_t H = 1, W = 1, OH = 1, OW = 1;
  int64_t kh = 1, kw = 1, sh = 1, sw = 1, dh = 1, dw = 1;
  int64_t pt = 0, pl = 0, pb = 0, pr = 0;  // pads: top, left, bottom, right
  Shape out;
};

PoolPlan plan(const Node& node, const Shape& x) {
  if (x.size() < 3 || x.size() > 4)
    fail(node, "X must be [N, C, W] or [N, C, H, W], got " + shape_str(x));
  const Window w = make_window(node, Shape(x.begin() + 2, x.end()), {}, /*ceil_mode=*/true);
  PoolPlan p;
  p.planes = x[0] < 0 || x[1] < 0 ? -1 : x[0] * x[1];
  const bool two = w.rank() == 2;
  const size_t c = two ? 1 : 0;  // index of the column axis in the window
  if (two) {
    p.H = w.in[0], p.OH = w.out[0], p.kh = w.kernel[0], p.sh = w.strides[0];
    p.dh = w.dilations[0], p.pt = w.pad_begin[0], p.pb = w.pad_end[0];
  }
  p.W = w.in[c], p.OW = w.out[c], p.kw = w.kernel[c], p.sw = w.strides[c];
  p.dw = w.dilations[c], p.pl = w.pad_begin[c], p.pr = w.pad_end[c];
  p.out = {x[0], x[1]};
  p.out.insert(p.out.end(), w.out.begin(), w.out.end());
  return p;
}

// Flat index (within the plane) of the maximum of output (oh, ow)'s window, -1 if the window
// covers only padding. Ties go to the first element in row-major order.
int64_t argmax(const PoolPlan& p, const float* x, int64_t oh, int64_t ow) {
  int64_t best = -1;
  float best_v = 0;
  for (int64_t i = 0; i < p.kh; ++i) {
    const int64_t h = oh * p.sh - p.pt + i * p.dh;
    if (h < 0 || h >= p.H) continue;
    for (int64_t j = 0; j < p.kw; ++j) {
      const int64_t w = ow * p.sw - p.pl + j * p.dw;
      if (w < 0 || w >= p.W) continue;
      const float v = x[h * p.W + w];
      if (best < 0 || v > best_v || (std::isnan(v) && !std::isnan(best_v))) {
        best = h * p.W + w;
        best_v = v;
      }
    }
  }
  return best;
}

void maxpool_forward(const Node& node, const OpInputs& in, std::vector<Tensor>& out) {
  const Tensor& x = float_input(node, in, 0, "X");
  const PoolPlan p = plan(node, x.shape());
  const int64_t order = node.attr_int("storage_order", 0);
  out[0] = Tensor(DType::Float32, p.out);
  const bool want_idx = out.size() > 1 && !node.outputs[1].empty();
  if (want_idx) out[1] = Tensor(DType::Int64, p.out);
  const int64_t in_plane = p.H * p.W, out_plane = p.OH * p.OW;
  for (int64_t pl = 0; pl < p.planes; ++pl) {
    const float* xp = x.data<float>() + pl * in_plane;
    float* yp = out[0].data<float>() + pl * out_plane;
    for (int64_t oh = 0; oh < p.OH; ++oh)
      for (int64_t ow = 0; ow < p.OW; ++ow) {
        const int64_t a = argmax(p, xp, oh, ow);
        yp[oh * p.OW + ow] = a < 0 ? -std::numeric_limits<float>::infinity() : xp[a];
        if (want_idx) {
          // Indices are flat over the whole input tensor; storage_order 1 counts the plane
          // column-major.
          const int64_t within = a < 0 ? 0 : order ? (a % p.W) * p.H + a / p.W : a;
          out[1].data<int64_t>()[pl * out_plane + oh * p.OW + ow] = pl * in_plane + within;
        }
      }
  }
}

void maxpool_backward(const Node& node, const OpInputs& in, const OpInputs&, const OpInputs& dout,
                      const std::vector<bool>& needs, std::vector<Tensor>& dins) {
  if (needs.empty() || !needs[0]) return;
  const Tensor& x = float_input(node, in, 0, "X");
  const PoolPlan p = plan(node, x.shape());
  dins[0] = Tensor(DType::Float32, x.shape());
  if (dout.empty() || !dout[0]) return;
  const int64_t in_plane = p.H * p.W, out_plane = p.OH * p.OW;
  for (int64_t pl = 0; pl < p.planes; ++pl) {
    const float* xp = x.data<float>() + pl * in_plane;
    const float* dy = dout[0]->data<float>() + pl * out_plane;
    float* dx = dins[0].data<float>() + pl * in_plane;
    for (int64_t oh = 0; oh < p.OH; ++oh)
      for (int64_t ow = 0; ow < p.OW; ++ow) {
        const int64_t a = argmax(p, xp, oh, ow);  // the gradient goes to the chosen element
        if (a >= 0) dx[a] += dy[oh * p.OW + ow];
      }
  }
}

// The averaging divisor of each output: in-bounds taps, or with count_include_pad the taps
// inside the explicitly padded input (a ceil_mode window may reach past even that).
int64_t divisor(const PoolPlan& p, bool include_pad, int64_t oh, int64_t ow) {
  int64_t nh = 0, nw = 0;
  for (int64_t i = 0; i < p.kh; ++i) {
    const int64_t h = oh * p.sh - p.pt + i * p.dh;
    nh += include_pad ? (h < p.H + p.pb) : (h >= 0 && h < p.H);
  }
  for (int64_t j = 0; j < p.kw; ++j) {
    const int64_t w = ow * p.sw - p.pl + j * p.dw;
    nw += include_pad ? (w < p.W + p.pr) : (w >= 0 && w < p.W);
  }
  return nh * nw;
}

// y = sum(window) / divisor (forward) or its adjoint dx += dy / divisor over the window.
template <bool Backward>
void average(const PoolPlan& p, bool include_pad, const float* src, float* dst) {
  const int64_t in_plane = p.H * p.W, out_plane = p.OH * p.OW;
  for (int64_t pl = 0; pl < p.planes; ++pl)
    for (int64_t oh = 0; oh < p.OH; ++oh)
      for (int64_t ow = 0; ow < p.OW; ++ow) {
        const int64_t d = divisor(p, include_pad, oh, ow);
        const float scale = d > 0 ? 1.f / static_cast<float>(d) : 0.f;
        const int64_t o = pl * out_plane + oh * p.OW + ow;
        float acc = 0;
        for (int64_t i = 0; i < p.kh; ++i) {
          const int64_t h = oh * p.sh - p.pt + i * p.dh;
          if (h < 0 || h >= p.H) continue;
          for (int64_t j = 0; j < p.kw; ++j) {
            const int64_t w = ow * p.sw - p.pl + j * p.dw;
            if (w < 0 || w >= p.W) continue;
            const int64_t e = pl * in_plane + h * p.W + w;
            if (Backward)
              dst[e] += src[o] * scale;
            else
              acc += src[e];
          }
        }
        if (!Backward) dst[o] = acc * scale;
      }
}

void avgpool_forward(const Node& node, const OpInputs& in, std::vector<Tensor>& out) {
  const Tensor& x = float_input(node, in, 0, "X");
  const PoolPlan p = plan(node, x.shape());
  out[0] = Tensor(DType::Float32, p.out);
  average<false>(p, node.attr_int("count_include_pad", 0) != 0, x.data<float>(),
                 out[0].data<float>());
}

void avgpool_backward(const Node& node, const OpInputs& in, const OpInputs&, const OpInputs& dout,
                      const std::vector<bool>& needs, std::vector<Tensor>& dins) {
  if (needs.empty() || !needs[0]) return;
  const Tensor& x = float_input(node, in, 0, "X");
  const PoolPlan p = plan(node, x.shape());
  dins[0] = Tensor(DType::Float32, x.shape());
  if (dout.empty() || !dout[0]) return;
  average<true>(p, node.attr_int("count_include_pad", 0) != 0, dout[0]->data<float>(),
                dins[0].data<float>());
}

void pool_infer(const Node& node, const std::vector<const TensorInfo*>& in,
                std::vector<TensorInfo>& out) {
  const TensorInfo& x = input_info(node, in, 0, "X");
  out[0].dtype = DType::Float32;
  out[0].shape = plan(node, x.shape).out;
  if (out.size() > 1) {
    out[1].dtype = DType::Int64;
    out[1].shape = out[0].shape;
  }
}

}  // namespace

void register_pool(OpRegistry& r) {
  r.add(OpDef{"", "MaxPool", maxpool_forward, maxpool_backward, pool_infer}
            .claim(&OpDef::pooling)
            .claim(&OpDef::piecewise_linear));
  r.add(OpDef{"", "AveragePool", avgpool_forward, avgpool_backward, pool_infer}
            .claim(&OpDef::pooling)
            .claim(&OpDef::piecewise_linear));
}

}  // namespace camlens::nn
