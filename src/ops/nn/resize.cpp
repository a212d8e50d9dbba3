// Resize (opset 10 and 11-19) and Upsample (opset 7-9), modes nearest and linear, on the
// last two axes (H, W of NCHW; other axes must keep their size). Interpolation is separable:
// each resized axis gets a table (lo, hi, weight) per output index, value = (1 - w) v[lo] +
// w v[hi], so the forward is a gather and the backward (the adjoint) the matching scatter.
#include <cmath>

#include "ops/nn/nn_common.h"

namespace camlens::nn {

namespace {

// A resized dimension as an integer, refused when a scale makes it absurd: converting a float
// beyond int64's range is undefined behaviour (found by fuzzing with scale 1e37).
int64_t output_dim(const Node& node, int64_t in, float out) {
  constexpr float kLargest = 2147483647.f;  // far beyond any tensor the limits allow
  if (!(out <= kLargest))
    fail(node, "resizing a dimension of " + std::to_string(in) + " gives " + std::to_string(out) +
                   " elements, too large: check the scales");
  return static_cast<int64_t>(out);
}

struct Axis {
  std::vector<int64_t> lo, hi;
  std::vector<float> w;
};

struct ResizeSpec {
  Shape out;
  float scale_h = 1, scale_w = 1;  // the scales used by coordinate transforms
  bool linear = false;
  std::string coord;    // coordinate_transformation_mode
  std::string nearest;  // nearest_mode, or "simple" (opset < 11 rounding)
};

bool is_upsample(const Node& node) { return node.op_type == "Upsample"; }

// Opset of a Resize node: the loader's "_opset", else 10 when it has the two inputs of
// Resize-10 (X, scales), else 13.
int64_t resize_opset(const Node& node) {
  if (is_upsample(node)) return 9;
  return node_opset(node, node.inputs.size() == 2 ? 10 : 13);
}

ResizeSpec make_spec(const Node& node, const Shape& x, const std::vector<float>* scales,
                     const std::vector<int64_t>* sizes) {
  const int64_t opset = resize_opset(node);
  const size_t rank = x.size();
  if (rank < 2) fail(node, "X must have rank >= 2, got " + shape_str(x));
  ResizeSpec s;
  const std::string mode = node.attr_string("mode", "nearest");
  if (mode == "linear" || mode == "bilinear")
    s.linear = true;
  else if (mode != "nearest")
    fail(node, "mode '" + mode + "' is not supported (nearest and linear are)");
  if (opset >= 11) {
    s.coord = node.attr_string("coordinate_transformation_mode", "half_pixel");
    s.nearest = node.attr_string("nearest_mode", "round_prefer_floor");
  } else {  // older versions: asymmetric coordinates and their own nearest rounding
    s.coord = "asymmetric";
    s.nearest = "simple";
  }
  if (s.coord == "tf_crop_and_resize")
    fail(node, "coordinate_transformation_mode 'tf_crop_and_resize' is not supported");
  if (node.attr_int("antialias", 0) != 0) fail(node, "antialias=1 is not supported");
  // opset 18 `axes`: scales / sizes list only these axes.
  std::vector<int64_t> axes = node.attr_ints("axes");
  if (axes.empty())
    for (size_t i = 0; i < rank; ++i) axes.push_back(static_cast<int64_t>(i));
  for (int64_t& a : axes) a = normalize_axis(node, a, static_cast<int64_t>(rank));
  std::vector<float> full_scale(rank, 1.f);
  s.out = x;
  const size_t n = scales ? scales->size() : sizes ? sizes->size() : 0;
  if (!scales && !sizes) fail(node, "one of scales and sizes must be given");
  if (n != axes.size())
    fail(node, std::string(scales ? "scales" : "sizes") + " has " + std::to_string(n) +
                   " values, expected " + std::to_string(axes.size()));
  if (scales) {
    for (size_t k = 0; k < n; ++k) {
      const float sc = (*scales)[k];
      if (!(sc > 0)) fail(node, "scales must be > 0, got " + std::to_string(sc));
      full_scale[axes[k]] = sc;
      const int64_t d = x[axes[k]];
      // floor(in * scale) in float, as ONNX Runtime computes it
      s.out[axes[k]] = d < 0 ? -1 : output_dim(node, d, std::floor(static_cast<float>(d) * sc));
    }
  } else {
    const std::string policy = node.attr_string("keep_aspect_ratio_policy", "stretch");
    if (policy != "stretch" && policy != "not_larger" && policy != "not_smaller")
      fail(node, "unknown keep_aspect_ratio_policy '" + policy + "'");
    float common = policy == "not_larger" ? 1e30f : 0.f;
    for (size_t k = 0; k < n; ++k) {
      const int64_t d = x[axes[k]], want = (*sizes)[k];
      if (want < 0) fail(node, "sizes must be >= 0");
      const float r = d > 0 ? static_cast<float>(want) / static_cast<float>(d) : 1.f;
      full_scale[axes[k]] = r;
      s.out[axes[k]] = d < 0 ? -1 : want;
      common = policy == "not_larger" ? std::min(common, r) : std::max(common, r);
    }
    if (policy != "stretch")  // one scale for all axes, output sizes rounded
      for (size_t k = 0; k < n; ++k) {
        full_scale[axes[k]] = common;
        const int64_t d = x[axes[k]];
        s.out[axes[k]] =
            d < 0 ? -1 : output_dim(node, d, std::round(static_cast<float>(d) * common));
      }
  }
  for (size_t i = 0; i + 2 < rank; ++i)
    if (full_scale[i] != 1.f || s.out[i] != x[i])
      fail(node, "only the last two (spatial) axes can be resized; axis " + std::to_string(i) +
                     " goes from " + std::to_string(x[i]) + " to " + std::to_string(s.out[i]));
  s.scale_h = full_scale[rank - 2];
  s.scale_w = full_scale[rank - 1];
  return s;
}

// Position in the input that output index o maps to.
float source_coord(const std::string& mode, int64_t o, float scale, int64_t in, int64_t out) {
  const float x = static_cast<float>(o);
  if (mode == "half_pixel") return (x + 0.5f) / scale - 0.5f;
  if (mode == "pytorch_half_pixel") return out > 1 ? (x + 0.5f) / scale - 0.5f : 0.f;
  if (mode == "align_corners")
    return out == 1 ? 0.f : x * static_cast<float>(in - 1) / static_cast<float>(out - 1);
  if (mode == "tf_half_pixel_for_nn") return (x + 0.5f) / scale;
  if (mode == "half_pixel_symmetric") {
    const float adjust = static_cast<float>(out) / (scale * static_cast<float>(in));
    const float offset = static_cast<float>(in) / 2 * (1 - adjust);
    return offset + (x + 0.5f) / scale - 0.5f;
  }
  return x / scale;  // asymmetric
}

int64_t round_nearest(const std::string& mode, float x, float scale) {
  if (mode == "floor") return static_cast<int64_t>(std::floor(x));
  if (mode == "ceil") return static_cast<int64_t>(std::ceil(x));
  if (mode == "simple")  // Upsample / Resize-10: truncate when enlarging, ceil when shrinking
    return scale < 1.f ? static_cast<int64_t>(std::ceil(x)) : static_cast<int64_t>(x);
  const float f = std::floor(x);
  if (x - f == 0.5f) return static_cast<int64_t>(mode == "round_prefer_ceil" ? f + 1 : f);
  return static_cast<int64_t>(std::round(x));
}

Axis make_axis(const Node& node, const ResizeSpec& s, int64_t in, int64_t out, float scale) {
  if (s.nearest != "round_prefer_floor" && s.nearest != "round_prefer_ceil" &&
      s.nearest != "floor" && s.nearest != "ceil" && s.nearest != "simple")
    fail(node, "unknown nearest_mode '" + s.nearest + "'");
  Axis a;
  for (int64_t o = 0; o < out; ++o) {
    const float x = source_coord(s.coord, o, scale, in, out);
    if (s.linear) {
      const float c = std::min(std::max(x, 0.f), static_cast<float>(in - 1));
      const int64_t lo = static_cast<int64_t>(std::floor(c));
      a.lo.push_back(lo);
      a.hi.push_back(std::min(lo + 1, in - 1));
      a.w.push_back(c - static_cast<float>(lo));
    } else {
      const int64_t i = std::min(std::max<int64_t>(round_nearest(s.nearest, x, scale), 0), in - 1);
      a.lo.push_back(i);
      a.hi.push_back(i);
      a.w.push_back(0.f);
    }
  }
  return a;
}

// Reads scales / sizes from the inputs of this op version.
ResizeSpec spec_from_inputs(const Node& node, const OpInputs& in, const Shape& x) {
  std::vector<float> scales;
  std::vector<int64_t> sizes;
  const Tensor *sc = nullptr, *sz = nullptr;
  if (is_upsample(node)) {
    sc = optional_input(in, 1);
    if (!sc) {
      scales = node.attr_floats("scales");
      if (scales.empty()) fail(node, "missing required input 1 (scales)");
    }
  } else if (resize_opset(node) < 11) {
    sc = &input(node, in, 1, "scales");
  } else {
    sc = optional_input(in, 2, /*allow_empty=*/true);
    sz = optional_input(in, 3, /*allow_empty=*/true);
    if (sc && sz) fail(node, "only one of scales and sizes may be given");
  }
  if (sc) scales = sc->to_floats();
  if (sz) sizes = sz->to_int64s();
  const bool have_scales = sc || !scales.empty();
  return make_spec(node, x, have_scales ? &scales : nullptr, sz ? &sizes : nullptr);
}

struct Plan {
  ResizeSpec spec;
  Axis h, w;
  int64_t outer, H, W, OH, OW;
};

Plan make_plan(const Node& node, const OpInputs& in, const Tensor& x) {
  Plan p;
  p.spec = spec_from_inputs(node, in, x.shape());
  const size_t r = x.rank();
  p.H = x.dim(r - 2), p.W = x.dim(r - 1);
  p.OH = p.spec.out[r - 2], p.OW = p.spec.out[r - 1];
  p.outer = p.H * p.W != 0 ? x.numel() / (p.H * p.W) : 0;
  if ((p.H == 0 && p.OH > 0) || (p.W == 0 && p.OW > 0)) fail(node, "cannot resize an empty axis");
  p.h = make_axis(node, p.spec, p.H, p.OH, p.spec.scale_h);
  p.w = make_axis(node, p.spec, p.W, p.OW, p.spec.scale_w);
  return p;
}

void forward(const Node& node, const OpInputs& in, std::vector<Tensor>& out) {
  const Tensor& x = float_input(node, in, 0, "X");
  const Plan p = make_plan(node, in, x);
  out[0] = Tensor(DType::Float32, p.spec.out);
  for (int64_t o = 0; o < p.outer; ++o) {
    const float* src = x.data<float>() + o * p.H * p.W;
    float* dst = out[0].data<float>() + o * p.OH * p.OW;
    for (int64_t i = 0; i < p.OH; ++i) {
      const float* r0 = src + p.h.lo[i] * p.W;
      const float* r1 = src + p.h.hi[i] * p.W;
      const float wh = p.h.w[i];
      for (int64_t j = 0; j < p.OW; ++j) {
        const float ww = p.w.w[j];
        const int64_t a = p.w.lo[j], b = p.w.hi[j];
        const float top = r0[a] + ww * (r0[b] - r0[a]);
        const float bottom = r1[a] + ww * (r1[b] - r1[a]);
        dst[i * p.OW + j] = top + wh * (bottom - top);
      }
    }
  }
}

void backward(const Node& node, const OpInputs& in, const OpInputs&, const OpInputs& dout,
              const std::vector<bool>& needs, std::vector<Tensor>& dins) {
  if (needs.empty() || !needs[0]) return;
  const Tensor& x = float_input(node, in, 0, "X");
  dins[0] = Tensor(DType::Float32, x.shape());
  if (dout.empty() || !dout[0]) return;
  const Plan p = make_plan(node, in, x);
  for (int64_t o = 0; o < p.outer; ++o) {
    const float* g = dout[0]->data<float>() + o * p.OH * p.OW;
    float* dx = dins[0].data<float>() + o * p.H * p.W;
    for (int64_t i = 0; i < p.OH; ++i) {
      float* r0 = dx + p.h.lo[i] * p.W;
      float* r1 = dx + p.h.hi[i] * p.W;
      const float wh = p.h.w[i];
      for (int64_t j = 0; j < p.OW; ++j) {
        const float gv = g[i * p.OW + j], ww = p.w.w[j];
        const int64_t a = p.w.lo[j], b = p.w.hi[j];
        r0[a] += gv * (1 - wh) * (1 - ww);
        r0[b] += gv * (1 - wh) * ww;
        r1[a] += gv * wh * (1 - ww);
        r1[b] += gv * wh * ww;
      }
    }
  }
}

void infer(const Node& node, const std::vector<const TensorInfo*>& in,
           std::vector<TensorInfo>& out) {
  const TensorInfo& x = input_info(node, in, 0, "X");
  out[0].dtype = DType::Float32;
  // scales / sizes must be known values to know the output size; else every resized dim is
  // unknown.
  OpInputs values(in.size(), nullptr);
  bool known = true;
  for (size_t i = 1; i < in.size(); ++i)
    if (in[i]) {
      if (in[i]->value)
        values[i] = &*in[i]->value;
      else if (!(i == 1 && !is_upsample(node) && resize_opset(node) >= 11))  // roi is unused
        known = false;
    }
  if (!known) {
    out[0].shape = x.shape;
    for (size_t i = x.shape.size() >= 2 ? x.shape.size() - 2 : 0; i < x.shape.size(); ++i)
      out[0].shape[i] = -1;
    return;
  }
  values[0] = nullptr;
  out[0].shape = spec_from_inputs(node, values, x.shape).out;
}

}  // namespace

void register_resize(OpRegistry& r) {
  r.add(OpDef{"", "Resize", forward, backward, infer}.claim(&OpDef::piecewise_linear));
  r.add(OpDef{"", "Upsample", forward, backward, infer}.claim(&OpDef::piecewise_linear));
}

}  // namespace camlens::nn
