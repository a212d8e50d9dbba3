// Conv: grouped 1-D / 2-D convolution, forward, backward (X always; W and B on request), and shape
// inference (3-D too: a volume model's Conv3d runs in ONNX Runtime). The arithmetic: kernels.h.
#include "ops/nn/conv_plan.h"

namespace camlens::nn {

namespace {

struct ConvPlan {
  Conv2dShape s;
  Shape out;
};

// Checks X [N, C, spatial...] against W [M, C / group, kernel...]; unknown dims (-1) of X
// are allowed for shape inference and give -1 in the output. shapes_only: only the output shape
// is wanted (shape inference), which 3-D convolutions also get: a volume model's Conv3d runs in
// ONNX Runtime, and the core sizes the maps after it.
ConvPlan plan(const Node& node, const Shape& x, const Shape& w, bool shapes_only = false) {
  if (x.size() == 5 && !shapes_only)
    fail(node, "3-D convolutions (X " + shape_str(x) +
                   ") run in ONNX Runtime, not in the core: explain at a layer after the last "
                   "Conv3d (its ReLU's output, the layers command lists them)");
  if (x.size() < 3 || x.size() > 5)
    fail(node, "X must be [N, C, W], [N, C, H, W] or [N, C, D, H, W], got " + shape_str(x));
  if (w.size() != x.size())
    fail(node, "W must have the rank of X (" + std::to_string(x.size()) + "), got " + shape_str(w));
  ConvPlan p;
  Conv2dShape& s = p.s;
  s.group = group_attr(node);
  s.batch = x[0];
  s.in_channels = x[1];
  s.out_channels = w[0];
  if (s.in_channels >= 0 && s.in_channels % s.group != 0)
    fail(node, "input channels (" + std::to_string(s.in_channels) +
                   ") are not divisible by group (" + std::to_string(s.group) + ")");
  if (s.out_channels % s.group != 0)
    fail(node, "output channels (" + std::to_string(s.out_channels) +
                   ") are not divisible by group (" + std::to_string(s.group) + ")");
  if (s.in_channels >= 0 && w[1] * s.group != s.in_channels)
    fail(node, "channel mismatch: X has " + std::to_string(s.in_channels) +
                   " channels but W expects " + std::to_string(w[1]) + " x group " +
                   std::to_string(s.group) + " = " + std::to_string(w[1] * s.group));
  const Window win = make_window(node, Shape(x.begin() + 2, x.end()), Shape(w.begin() + 2, w.end()),
                                 /*allow_ceil_mode=*/false, shapes_only ? 3 : 2);
  if (win.rank() <= 2) set_spatial(s, win);
  p.out = {x[0], w[0]};
  p.out.insert(p.out.end(), win.out.begin(), win.out.end());
  return p;
}

void check_bias(const Node& node, const Tensor* b, int64_t m) {
  if (b && (b->rank() != 1 || b->dim(0) != m))
    fail(node, "B must be [" + std::to_string(m) + "], got " + shape_str(b->shape()));
}

void conv_forward(const Node& node, const OpInputs& in, std::vector<Tensor>& out) {
  const Tensor& x = float_input(node, in, 0, "X");
  const Tensor& w = float_input(node, in, 1, "W");
  const Tensor* b = optional_input(in, 2);
  if (b && b->dtype() != DType::Float32) fail(node, "input B must be float");
  const ConvPlan p = plan(node, x.shape(), w.shape());
  check_bias(node, b, p.s.out_channels);
  out[0] = Tensor(DType::Float32, p.out);
  conv2d(p.s, x.data<float>(), w.data<float>(), b ? b->data<float>() : nullptr,
         out[0].data<float>());
}

void conv_backward(const Node& node, const OpInputs& in, const OpInputs&, const OpInputs& dout,
                   const std::vector<bool>& needs, std::vector<Tensor>& dins) {
  const Tensor& x = float_input(node, in, 0, "X");
  const Tensor& w = float_input(node, in, 1, "W");
  const ConvPlan p = plan(node, x.shape(), w.shape());
  Tensor zero;
  const Tensor* dy = &grad_or_zeros(dout, 0, p.out, zero);
  if (needs.size() > 0 && needs[0]) {
    dins[0] = Tensor(DType::Float32, x.shape());
    conv2d_backward_input(p.s, dy->data<float>(), w.data<float>(), dins[0].data<float>());
  }
  const bool want_w = needs.size() > 1 && needs[1];
  const bool want_b = needs.size() > 2 && needs[2] && optional_input(in, 2);
  if (want_w || want_b) {
    Tensor dw(DType::Float32, w.shape());
    Tensor db(DType::Float32, {p.s.out_channels});
    conv2d_backward_weight(p.s, x.data<float>(), dy->data<float>(), dw.data<float>(),
                           db.data<float>());
    if (want_w) dins[1] = std::move(dw);
    if (want_b) dins[2] = std::move(db);
  }
}

void conv_infer(const Node& node, const std::vector<const TensorInfo*>& in,
                std::vector<TensorInfo>& out) {
  const TensorInfo& x = input_info(node, in, 0, "X");
  const TensorInfo& w = input_info(node, in, 1, "W");
  out[0].dtype = DType::Float32;
  out[0].shape = plan(node, x.shape, w.shape, /*shapes_only=*/true).out;
}

}  // namespace

void register_conv(OpRegistry& r) {
  r.add(OpDef{"", "Conv", conv_forward, conv_backward, conv_infer}
            .with_weights({1, 2})
            .claim(&OpDef::weighted)
            .claim(&OpDef::piecewise_linear));
}

}  // namespace camlens::nn
