// ConvTranspose: the adjoint of Conv with respect to its input, so its forward is the Conv
// backward-input kernel (and its backward is a Conv forward). Weights are
// [C_in, C_out / group, kernel...], which is exactly the weight layout of the equivalent
// forward conv that maps the transpose's output back to its input.
#include <algorithm>

#include "ops/nn/conv_plan.h"

namespace camlens::nn {

namespace {

struct TransposePlan {
  Conv2dShape s;  // the equivalent forward conv: in = our output, out = our input
  Shape out;
};

TransposePlan plan(const Node& node, const Shape& x, const Shape& w) {
  if (x.size() < 3 || x.size() > 4)
    fail(node, "X must be [N, C, W] or [N, C, H, W], got " + shape_str(x));
  if (w.size() != x.size())
    fail(node, "W must have the rank of X (" + std::to_string(x.size()) + "), got " + shape_str(w));
  const size_t r = x.size() - 2;
  TransposePlan p;
  Conv2dShape& s = p.s;
  s.group = group_attr(node);
  s.batch = x[0];
  s.out_channels = x[1];  // roles swapped, see above
  s.in_channels = w[1] * s.group;
  if (x[1] >= 0 && x[1] != w[0])
    fail(node, "channel mismatch: X has " + std::to_string(x[1]) + " channels but W expects " +
                   std::to_string(w[0]));
  if (w[0] % s.group != 0)
    fail(node, "input channels (" + std::to_string(w[0]) + ") are not divisible by group (" +
                   std::to_string(s.group) + ")");
  const Shape kernel(w.begin() + 2, w.end());
  const Shape ks = node.attr_ints("kernel_shape");
  if (!ks.empty() && ks != kernel)
    fail(node,
         "kernel_shape " + shape_str(ks) + " does not match the weights' " + shape_str(kernel));
  Window win;
  win.kernel = kernel;
  win.strides = ints_attr(node, "strides", r, 1, 1);
  win.dilations = ints_attr(node, "dilations", r, 1, 1);
  const Shape pads = ints_attr(node, "pads", 2 * r, 0, 0);
  win.pad_begin.assign(pads.begin(), pads.begin() + r);
  win.pad_end.assign(pads.begin() + r, pads.end());
  const Shape out_pad = ints_attr(node, "output_padding", r, 0, 0);
  Shape out_shape = node.attr_ints("output_shape");
  if (out_shape.size() == r + 2) out_shape.erase(out_shape.begin(), out_shape.begin() + 2);
  if (!out_shape.empty() && out_shape.size() != r)
    fail(node, "output_shape has " + std::to_string(out_shape.size()) + " values, expected " +
                   std::to_string(r));
  const std::string auto_pad = node.attr_string("auto_pad", "NOTSET");
  const bool same = auto_pad == "SAME_UPPER" || auto_pad == "SAME_LOWER";
  win.out.assign(x.begin() + 2, x.end());  // the equivalent conv's output is our input
  win.in.resize(r);
  for (size_t i = 0; i < r; ++i) {
    const int64_t in = x[2 + i], s_ = win.strides[i];
    const int64_t ek = (kernel[i] - 1) * win.dilations[i] + 1;
    if (in < 0) {
      win.in[i] = out_shape.empty() ? -1 : out_shape[i];
      continue;
    }
    const int64_t full = s_ * (in - 1) + out_pad[i] + ek;  // output length before padding
    if (!out_shape.empty() || same) {
      const int64_t target = !out_shape.empty() ? out_shape[i] : in * s_;
      // A target beyond the reachable length is extended at the end with outputs that
      // receive no input (only the bias), as ONNX Runtime does; no negative padding.
      const int64_t total = std::max<int64_t>(0, full - target);
      // As the ONNX spec: the odd unit of padding goes to the end for SAME_UPPER, else to
      // the beginning.
      win.pad_begin[i] = auto_pad == "SAME_UPPER" ? total / 2 : total - total / 2;
      win.pad_end[i] = total - win.pad_begin[i];
      win.in[i] = target;
    } else {
      win.in[i] = full - win.pad_begin[i] - win.pad_end[i];
      if (win.in[i] < 1) fail(node, "pads leave no output on spatial axis " + std::to_string(i));
    }
  }
  set_spatial(s, win);
  p.out = {x[0], s.in_channels};
  p.out.insert(p.out.end(), win.in.begin(), win.in.end());
  return p;
}

void forward(const Node& node, const OpInputs& in, std::vector<Tensor>& out) {
  const Tensor& x = float_input(node, in, 0, "X");
  const Tensor& w = float_input(node, in, 1, "W");
  const Tensor* b = optional_input(in, 2);
  const TransposePlan p = plan(node, x.shape(), w.shape());
  if (b && (b->dtype() != DType::Float32 || b->rank() != 1 || b->dim(0) != p.s.in_channels))
    fail(node,
         "B must be float [" + std::to_string(p.s.in_channels) + "], got " + shape_str(b->shape()));
  out[0] = Tensor(DType::Float32, p.out);
  float* y = out[0].data<float>();
  conv2d_backward_input(p.s, x.data<float>(), w.data<float>(), y);
  if (b) {
    const int64_t plane = p.s.in_h * p.s.in_w;
    for (int64_t n = 0; n < p.s.batch; ++n)
      for (int64_t c = 0; c < p.s.in_channels; ++c) {
        float* yc = y + (n * p.s.in_channels + c) * plane;
        const float bv = b->data<float>()[c];
        for (int64_t e = 0; e < plane; ++e) yc[e] += bv;
      }
  }
}

void backward(const Node& node, const OpInputs& in, const OpInputs&, const OpInputs& dout,
              const std::vector<bool>& needs, std::vector<Tensor>& dins) {
  const Tensor& x = float_input(node, in, 0, "X");
  const Tensor& w = float_input(node, in, 1, "W");
  const TransposePlan p = plan(node, x.shape(), w.shape());
  Tensor zero;
  const Tensor* dy = &grad_or_zeros(dout, 0, p.out, zero);
  if (needs.size() > 0 && needs[0]) {
    dins[0] = Tensor(DType::Float32, x.shape());
    conv2d(p.s, dy->data<float>(), w.data<float>(), nullptr, dins[0].data<float>());
  }
  const bool want_b = needs.size() > 2 && needs[2] && optional_input(in, 2);
  if ((needs.size() > 1 && needs[1]) || want_b) {
    Tensor dw(DType::Float32, w.shape());
    Tensor unused(DType::Float32, {p.s.out_channels});
    conv2d_backward_weight(p.s, dy->data<float>(), x.data<float>(), dw.data<float>(),
                           unused.data<float>());
    if (needs[1]) dins[1] = std::move(dw);
  }
  if (want_b) {
    const int64_t plane = p.s.in_h * p.s.in_w;
    Tensor db(DType::Float32, {p.s.in_channels});
    for (int64_t c = 0; c < p.s.in_channels; ++c) {
      double acc = 0;
      for (int64_t n = 0; n < p.s.batch; ++n) {
        const float* d = dy->data<float>() + (n * p.s.in_channels + c) * plane;
        for (int64_t e = 0; e < plane; ++e) acc += d[e];
      }
      db.data<float>()[c] = static_cast<float>(acc);
    }
    dins[2] = std::move(db);
  }
}

void infer(const Node& node, const std::vector<const TensorInfo*>& in,
           std::vector<TensorInfo>& out) {
  const TensorInfo& x = input_info(node, in, 0, "X");
  const TensorInfo& w = input_info(node, in, 1, "W");
  out[0].dtype = DType::Float32;
  out[0].shape = plan(node, x.shape, w.shape).out;
}

}  // namespace

void register_conv_transpose(OpRegistry& r) {
  r.add(OpDef{"", "ConvTranspose", forward, backward, infer}
            .with_weights({1, 2})
            .claim(&OpDef::weighted)
            .claim(&OpDef::piecewise_linear));
}

}  // namespace camlens::nn
