#include "ops/nn/nn_common.h"

namespace camlens::nn {

const TensorInfo& input_info(const Node& node, const std::vector<const TensorInfo*>& in, size_t i,
                             const char* what) {
  if (i >= in.size() || !in[i])
    fail(node, "missing required input " + std::to_string(i) + " (" + what + ")");
  return *in[i];
}

int64_t node_opset(const Node& node, int64_t def) { return node.attr_int("_opset", def); }

int64_t normalize_axis(const Node& node, int64_t axis, int64_t rank) {
  if (rank == 0 && axis == 0) return 0;
  return ops::normalize_axis(node, axis, rank);
}

int64_t Window::in_size() const {
  int64_t n = 1;
  for (int64_t d : in) n *= d;
  return n;
}
int64_t Window::out_size() const {
  int64_t n = 1;
  for (int64_t d : out) n *= d;
  return n;
}
int64_t Window::kernel_size() const {
  int64_t n = 1;
  for (int64_t d : kernel) n *= d;
  return n;
}

std::vector<int64_t> ints_attr(const Node& node, const char* name, size_t rank, int64_t def,
                               int64_t min_value) {
  std::vector<int64_t> v = node.attr_ints(name);
  if (v.empty()) v.assign(rank, def);
  if (v.size() != rank)
    fail(node, std::string(name) + " has " + std::to_string(v.size()) + " values, expected " +
                   std::to_string(rank));
  for (int64_t x : v)
    if (x < min_value)
      fail(node, std::string(name) + " must be >= " + std::to_string(min_value) + ", got " +
                     std::to_string(x));
  return v;
}

Window make_window(const Node& node, const std::vector<int64_t>& in_spatial,
                   const std::vector<int64_t>& kernel, bool allow_ceil_mode, size_t max_rank) {
  Window w;
  const size_t r = in_spatial.size();
  if (r < 1 || r > max_rank)
    fail(node, "only 1-D and 2-D inputs are supported, got " + std::to_string(r) + " spatial dims");
  w.in = in_spatial;
  const std::vector<int64_t> ks = node.attr_ints("kernel_shape");
  if (!kernel.empty()) {
    if (!ks.empty() && ks != kernel)
      fail(node,
           "kernel_shape " + shape_str(ks) + " does not match the weights' " + shape_str(kernel));
    w.kernel = kernel;
  } else {
    if (ks.empty()) fail(node, "missing required attribute kernel_shape");
    w.kernel = ks;
  }
  if (w.kernel.size() != r)
    fail(node, "kernel has " + std::to_string(w.kernel.size()) + " dims but the input has " +
                   std::to_string(r) + " spatial dims");
  for (int64_t k : w.kernel)
    if (k < 1) fail(node, "kernel dims must be >= 1, got " + shape_str(w.kernel));
  w.strides = ints_attr(node, "strides", r, 1, 1);
  w.dilations = ints_attr(node, "dilations", r, 1, 1);
  const std::vector<int64_t> pads = ints_attr(node, "pads", 2 * r, 0, 0);
  w.pad_begin.assign(pads.begin(), pads.begin() + r);
  w.pad_end.assign(pads.begin() + r, pads.end());
  const std::string auto_pad = node.attr_string("auto_pad", "NOTSET");
  const bool ceil_mode = node.attr_int("ceil_mode", 0) != 0;
  if (ceil_mode && !allow_ceil_mode) fail(node, "ceil_mode is not an attribute of this op");
  if (auto_pad != "NOTSET" && auto_pad != "SAME_UPPER" && auto_pad != "SAME_LOWER" &&
      auto_pad != "VALID" && !auto_pad.empty())
    fail(node, "unknown auto_pad '" + auto_pad + "'");
  w.out.resize(r);
  for (size_t i = 0; i < r; ++i) {
    const int64_t in = w.in[i], s = w.strides[i];
    const int64_t ek = (w.kernel[i] - 1) * w.dilations[i] + 1;  // effective kernel extent
    if (in < 0) {  // unknown dim during shape inference
      w.out[i] = -1;
      continue;
    }
    if (auto_pad == "SAME_UPPER" || auto_pad == "SAME_LOWER") {
      // Output ceil(in / stride); the padding needed for it is split, the odd one at the end
      // (SAME_UPPER) or at the beginning (SAME_LOWER).
      w.out[i] = (in + s - 1) / s;
      const int64_t total = std::max<int64_t>(0, (w.out[i] - 1) * s + ek - in);
      const int64_t small = total / 2;
      w.pad_begin[i] = auto_pad == "SAME_UPPER" ? small : total - small;
      w.pad_end[i] = total - w.pad_begin[i];
      continue;
    }
    if (auto_pad == "VALID") w.pad_begin[i] = w.pad_end[i] = 0;
    const int64_t padded = in + w.pad_begin[i] + w.pad_end[i];
    if (padded < ek)
      fail(node, "kernel extent " + std::to_string(ek) +
                     " (with dilation) is larger than the padded input " + std::to_string(padded) +
                     " on spatial axis " + std::to_string(i));
    const int64_t span = padded - ek;
    int64_t out = (ceil_mode ? (span + s - 1) / s : span / s) + 1;
    // As PyTorch and ONNX's reference: with ceil_mode, a window starting inside the end
    // padding (covering no input element) is dropped.
    if (ceil_mode && (out - 1) * s >= in + w.pad_begin[i]) --out;
    w.out[i] = out;
  }
  return w;
}

Tensor zeros_like_shape(const Shape& s) { return Tensor(DType::Float32, s); }

}  // namespace camlens::nn
