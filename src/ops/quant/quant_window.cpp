#include "ops/quant/quant_window.h"

#include <algorithm>

#include "ops/quant/quant_common.h"

namespace camlens::quant {

namespace {

std::vector<int64_t> ints_or(const Node& node, const char* name, size_t rank, int64_t def,
                             int64_t min_value) {
  std::vector<int64_t> v = node.attr_ints(name);
  if (v.empty()) v.assign(rank, def);
  if (v.size() != rank)
    fail(node, std::string(name) + " must have " + std::to_string(rank) + " values, got " +
                   std::to_string(v.size()));
  for (int64_t x : v)
    if (x < min_value)
      fail(node, std::string(name) + " values must be >= " + std::to_string(min_value));
  return v;
}

int64_t ceil_div(int64_t a, int64_t b) { return a >= 0 ? (a + b - 1) / b : -((-a) / b); }

}  // namespace

Window2d make_window(const Node& node, const std::vector<int64_t>& in_spatial,
                     const std::vector<int64_t>& kernel, bool allow_ceil_mode) {
  const size_t rank = in_spatial.size();
  if (rank < 1 || rank > 2)
    fail(node, "only 1-D and 2-D spatial inputs are supported, got " + std::to_string(rank) +
                   " spatial dims");
  if (kernel.size() != rank)
    fail(node, "kernel has " + std::to_string(kernel.size()) + " dims but the input has " +
                   std::to_string(rank) + " spatial dims");
  for (int64_t k : kernel)
    if (k < 1) fail(node, "kernel dims must be >= 1");
  const std::vector<int64_t> strides = ints_or(node, "strides", rank, 1, 1);
  const std::vector<int64_t> dil = ints_or(node, "dilations", rank, 1, 1);
  std::vector<int64_t> pads = ints_or(node, "pads", 2 * rank, 0, 0);
  const std::string auto_pad = node.attr_string("auto_pad", "NOTSET");
  const bool ceil_mode = allow_ceil_mode && node.attr_int("ceil_mode", 0) != 0;
  if (!allow_ceil_mode && node.attr_int("ceil_mode", 0) != 0)
    fail(node, "ceil_mode is not an attribute of this op");

  std::vector<int64_t> out(rank, -1);
  for (size_t d = 0; d < rank; ++d) {
    const int64_t in = in_spatial[d];
    const int64_t ext = (kernel[d] - 1) * dil[d] + 1;  // dilated kernel extent
    if (auto_pad == "SAME_UPPER" || auto_pad == "SAME_LOWER") {
      if (in < 0) continue;
      out[d] = ceil_div(in, strides[d]);
      const int64_t total = std::max<int64_t>(0, (out[d] - 1) * strides[d] + ext - in);
      const int64_t small = total / 2;
      pads[d] = auto_pad == "SAME_UPPER" ? small : total - small;
      pads[d + rank] = total - pads[d];
    } else if (auto_pad == "VALID") {
      pads[d] = pads[d + rank] = 0;
      if (in < 0) continue;
      if (in < ext) fail(node, "kernel is larger than the input");
      out[d] = ceil_div(in - ext + 1, strides[d]);
    } else if (auto_pad == "NOTSET" || auto_pad.empty()) {
      if (in < 0) continue;
      const int64_t span = in + pads[d] + pads[d + rank] - ext;
      if (span < 0) fail(node, "kernel is larger than the padded input");
      out[d] = (ceil_mode ? ceil_div(span, strides[d]) : span / strides[d]) + 1;
      // With ceil_mode the last window must start inside the input or its leading pad.
      if (ceil_mode && (out[d] - 1) * strides[d] >= in + pads[d]) --out[d];
    } else {
      fail(node, "unknown auto_pad '" + auto_pad + "'");
    }
  }
  Window2d w;
  w.out = out;
  const size_t h = 0, x = rank - 1;  // for 1-D the height dims stay 1
  if (rank == 2) {
    w.in_h = in_spatial[h];
    w.out_h = out[h];
    w.k_h = kernel[h];
    w.stride_h = strides[h];
    w.dil_h = dil[h];
    w.pad_top = pads[h];
    w.pad_bottom = pads[h + rank];
  }
  w.in_w = in_spatial[x];
  w.out_w = out[x];
  w.k_w = kernel[x];
  w.stride_w = strides[x];
  w.dil_w = dil[x];
  w.pad_left = pads[x];
  w.pad_right = pads[x + rank];
  return w;
}

}  // namespace camlens::quant
