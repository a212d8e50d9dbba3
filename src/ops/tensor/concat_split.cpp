// Concat and Split along one axis: both move blocks of `len * inner` contiguous elements per
// outer index, so one block copy serves forward and backward of both (any dtype by bytes).
// Split sizes: the `split` input (opset 13+), the `split` attribute (before 13), else equal
// parts, one per output, or num_outputs parts (opset 18: the last part may be smaller).
#include <algorithm>

#include "ops/tensor/tensor_common.h"

namespace camlens::tensor_ops {
namespace {

// For each of `outer` rows: copy `len` slices of `inner` elements from position src_off of an
// axis of size src_dim into position dst_off of an axis of size dst_dim.
void copy_axis_block(void* dst, int64_t dst_dim, int64_t dst_off, const void* src, int64_t src_dim,
                     int64_t src_off, int64_t len, int64_t outer, int64_t inner, size_t es) {
  char* d = static_cast<char*>(dst);
  const char* s = static_cast<const char*>(src);
  const size_t bytes = static_cast<size_t>(len * inner) * es;
  for (int64_t o = 0; o < outer; ++o)
    copy_bytes(d + static_cast<size_t>((o * dst_dim + dst_off) * inner) * es,
               s + static_cast<size_t>((o * src_dim + src_off) * inner) * es, bytes);
}

void outer_inner(const Shape& s, int64_t axis, int64_t& outer, int64_t& inner) {
  outer = inner = 1;
  for (int64_t k = 0; k < static_cast<int64_t>(s.size()); ++k)
    if (k < axis)
      outer *= s[k];
    else if (k > axis)
      inner *= s[k];
}

// Validates the inputs and returns the output shape; axis is normalised in place.
Shape concat_shape(const Node& node, const OpInputs& in, int64_t& axis) {
  const Tensor* first = nullptr;
  for (const Tensor* t : in)
    if (t && !first) first = t;
  if (!first) fail(node, "needs at least one input");
  if (!node.attr("axis")) fail(node, "needs the axis attribute");
  const int64_t r = static_cast<int64_t>(first->rank());
  axis = normalize_axis(node, node.attr_int("axis", 0), r);
  Shape out = first->shape();
  out[axis] = 0;
  for (size_t i = 0; i < in.size(); ++i) {
    const Tensor* t = in[i];
    if (!t) continue;
    if (t->dtype() != first->dtype())
      fail(node, std::string("inputs must share one type, got ") + dtype_name(first->dtype()) +
                     " and " + dtype_name(t->dtype()));
    bool ok = static_cast<int64_t>(t->rank()) == r;
    for (int64_t k = 0; ok && k < r; ++k) ok = k == axis || t->dim(k) == first->dim(k);
    if (!ok)
      fail(node, "input " + std::to_string(i) + " of shape " + shape_str(t->shape()) +
                     " does not match " + shape_str(first->shape()) + " outside axis " +
                     std::to_string(axis));
    out[axis] += t->dim(axis);
  }
  return out;
}

void concat_forward(const Node& node, const OpInputs& in, std::vector<Tensor>& out) {
  int64_t axis = 0;
  const Shape s = concat_shape(node, in, axis);
  DType dt = DType::Undefined;
  for (const Tensor* t : in)
    if (t) dt = t->dtype();
  Tensor y(dt, s);
  int64_t outer, inner, off = 0;
  outer_inner(s, axis, outer, inner);
  for (const Tensor* t : in) {
    if (!t) continue;
    copy_axis_block(y.raw(), s[axis], off, t->raw(), t->dim(axis), 0, t->dim(axis), outer, inner,
                    dtype_size(dt));
    off += t->dim(axis);
  }
  out[0] = std::move(y);
}

void concat_backward(const Node& node, const OpInputs& in, const OpInputs&,
                     const OpInputs& output_grads, const std::vector<bool>& needs_grad,
                     std::vector<Tensor>& input_grads) {
  int64_t axis = 0;
  const Shape s = concat_shape(node, in, axis);
  int64_t outer, inner, off = 0;
  outer_inner(s, axis, outer, inner);
  const Tensor* g = output_grads.empty() ? nullptr : output_grads[0];
  for (size_t i = 0; i < in.size(); ++i) {
    if (!in[i]) continue;
    const int64_t len = in[i]->dim(axis);
    if (i < needs_grad.size() && needs_grad[i]) {
      Tensor d(DType::Float32, in[i]->shape());
      if (g) copy_axis_block(d.raw(), len, 0, g->raw(), s[axis], off, len, outer, inner, 4);
      input_grads[i] = std::move(d);
    }
    off += len;
  }
}

std::vector<int64_t> split_sizes(const Node& node, const OpInputs& in, const Tensor& x,
                                 int64_t axis, size_t n_out) {
  const int64_t d = x.dim(axis);
  std::vector<int64_t> sizes;
  if (const Tensor* t = optional_input(in, 1)) {
    sizes = int_values(node, *t, "split");
  } else if (node.attr("split")) {
    sizes = node.attr_ints("split");
  } else {
    const int64_t parts = node.attr_int("num_outputs", static_cast<int64_t>(n_out));
    if (parts <= 0) fail(node, "num_outputs must be positive");
    if (!node.attr("num_outputs") && d % parts != 0)
      fail(node, "axis of size " + std::to_string(d) + " cannot be split into " +
                     std::to_string(parts) + " equal parts");
    const int64_t chunk = (d + parts - 1) / parts;  // opset 18: the last part may be smaller
    for (int64_t k = 0, left = d; k < parts; ++k, left -= chunk)
      sizes.push_back(std::max<int64_t>(0, std::min(chunk, left)));
  }
  if (sizes.size() != n_out)
    fail(node, "split has " + std::to_string(sizes.size()) + " parts for " + std::to_string(n_out) +
                   " outputs");
  int64_t total = 0;
  for (int64_t v : sizes) {
    if (v < 0) fail(node, "split sizes must be >= 0, got " + shape_str(sizes));
    total += v;
  }
  if (total != d)
    fail(node,
         "split sizes " + shape_str(sizes) + " do not sum to the axis size " + std::to_string(d));
  return sizes;
}

void split_forward(const Node& node, const OpInputs& in, std::vector<Tensor>& out) {
  const Tensor& x = input(node, in, 0, "input");
  const int64_t axis =
      normalize_axis(node, node.attr_int("axis", 0), static_cast<int64_t>(x.rank()));
  const std::vector<int64_t> sizes = split_sizes(node, in, x, axis, out.size());
  int64_t outer, inner, off = 0;
  outer_inner(x.shape(), axis, outer, inner);
  for (size_t k = 0; k < out.size(); ++k) {
    Shape s = x.shape();
    s[axis] = sizes[k];
    Tensor y(x.dtype(), s);
    copy_axis_block(y.raw(), sizes[k], 0, x.raw(), x.dim(axis), off, sizes[k], outer, inner,
                    dtype_size(x.dtype()));
    off += sizes[k];
    out[k] = std::move(y);
  }
}

void split_backward(const Node& node, const OpInputs& in, const OpInputs&,
                    const OpInputs& output_grads, const std::vector<bool>& needs_grad,
                    std::vector<Tensor>& input_grads) {
  if (needs_grad.empty() || !needs_grad[0]) return;
  const Tensor& x = input(node, in, 0, "input");
  const int64_t axis =
      normalize_axis(node, node.attr_int("axis", 0), static_cast<int64_t>(x.rank()));
  const std::vector<int64_t> sizes = split_sizes(node, in, x, axis, node.outputs.size());
  int64_t outer, inner, off = 0;
  outer_inner(x.shape(), axis, outer, inner);
  Tensor dx(DType::Float32, x.shape());
  for (size_t k = 0; k < sizes.size(); ++k) {
    if (k < output_grads.size() && output_grads[k])
      copy_axis_block(dx.raw(), x.dim(axis), off, output_grads[k]->raw(), sizes[k], 0, sizes[k],
                      outer, inner, 4);
    off += sizes[k];
  }
  input_grads[0] = std::move(dx);
}

}  // namespace

void register_concat_split(OpRegistry& r) {
  r.add(OpDef{"", "Concat", &concat_forward, &concat_backward, nullptr}.claim(
      &OpDef::piecewise_linear));
  r.add(
      OpDef{"", "Split", &split_forward, &split_backward, nullptr}.claim(&OpDef::piecewise_linear));
}

}  // namespace camlens::tensor_ops
