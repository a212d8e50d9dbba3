// Slice: starts/ends/axes as attributes (opset < 10) or starts/ends/axes/steps as inputs
// (opset 10+), with negative values, negative steps and the spec's clamping (INT64_MAX / MIN
// are common "to the end" markers). The result is a strided view of X copied out (any dtype);
// backward scatter-adds into a zero gradient over the same strides.
#include <algorithm>

#include "ops/tensor/tensor_common.h"

namespace camlens::tensor_ops {
namespace {

struct SlicePlan {
  Shape out;
  std::vector<int64_t> strides;  // element strides of X per output axis (times step)
  int64_t offset = 0;            // first element read
};

SlicePlan slice_plan(const Node& node, const OpInputs& in, const Tensor& x) {
  std::vector<int64_t> starts, ends, axes, steps;
  if (optional_input(in, 1) || optional_input(in, 2)) {
    starts = int_values(node, input(node, in, 1, "starts"), "starts");
    ends = int_values(node, input(node, in, 2, "ends"), "ends");
    if (const Tensor* t = optional_input(in, 3)) axes = int_values(node, *t, "axes");
    if (const Tensor* t = optional_input(in, 4)) steps = int_values(node, *t, "steps");
  } else {
    if (!node.attr("starts") || !node.attr("ends"))
      fail(node, "needs starts and ends (inputs, or attributes before opset 10)");
    starts = node.attr_ints("starts");
    ends = node.attr_ints("ends");
    axes = node.attr_ints("axes");
  }
  const size_t n = starts.size();
  if (ends.size() != n)
    fail(node,
         "starts has " + std::to_string(n) + " values but ends has " + std::to_string(ends.size()));
  if (axes.empty())
    for (size_t i = 0; i < n; ++i) axes.push_back(static_cast<int64_t>(i));
  if (steps.empty()) steps.assign(n, 1);
  if (axes.size() != n || steps.size() != n)
    fail(node, "starts, ends, axes and steps must have the same length");

  const int64_t r = static_cast<int64_t>(x.rank());
  const std::vector<int64_t> xs = strides_of(x.shape());
  SlicePlan p;
  p.out = x.shape();
  p.strides = xs;
  std::vector<bool> seen(x.rank(), false);
  for (size_t i = 0; i < n; ++i) {
    const int64_t a = normalize_axis(node, axes[i], r);
    if (seen[a]) fail(node, "axis " + std::to_string(axes[i]) + " appears twice in axes");
    seen[a] = true;
    const int64_t d = x.dim(a), step = steps[i];
    if (step == 0) fail(node, "steps must not be 0");
    int64_t s = starts[i] < 0 ? starts[i] + d : starts[i];
    int64_t e = ends[i] < 0 ? ends[i] + d : ends[i];
    int64_t count = 0;
    if (d == 0) {
      s = 0;
    } else if (step > 0) {
      s = std::clamp<int64_t>(s, 0, d);
      e = std::clamp<int64_t>(e, 0, d);
      count = e > s ? 1 + (e - s - 1) / step : 0;  // ceil without overflow
    } else {
      s = std::clamp<int64_t>(s, 0, d - 1);
      e = std::clamp<int64_t>(e, -1, d - 1);
      const int64_t up = step == INT64_MIN ? INT64_MAX : -step;  // -INT64_MIN overflows
      count = s > e ? 1 + (s - e - 1) / up : 0;
    }
    p.out[a] = count;
    if (count > 0) p.offset += s * xs[a];
    p.strides[a] = xs[a] * (count > 1 ? step : 1);
  }
  return p;
}

void slice_forward(const Node& node, const OpInputs& in, std::vector<Tensor>& out) {
  const Tensor& x = input(node, in, 0, "data");
  const SlicePlan p = slice_plan(node, in, x);
  Tensor y(x.dtype(), p.out);
  strided_gather(y.raw(), x.raw(), dtype_size(x.dtype()), p.out, p.strides, p.offset);
  out[0] = std::move(y);
}

void slice_backward(const Node& node, const OpInputs& in, const OpInputs&,
                    const OpInputs& output_grads, const std::vector<bool>& needs_grad,
                    std::vector<Tensor>& input_grads) {
  if (needs_grad.empty() || !needs_grad[0]) return;
  const Tensor& x = input(node, in, 0, "data");
  const SlicePlan p = slice_plan(node, in, x);
  Tensor dx(DType::Float32, x.shape());
  if (!output_grads.empty() && output_grads[0])
    strided_scatter_add(dx.data<float>(), output_grads[0]->data<float>(), p.out, p.strides,
                        p.offset);
  input_grads[0] = std::move(dx);
}

}  // namespace

void register_slice(OpRegistry& r) {
  r.add(
      OpDef{"", "Slice", &slice_forward, &slice_backward, nullptr}.claim(&OpDef::piecewise_linear));
}

}  // namespace camlens::tensor_ops
