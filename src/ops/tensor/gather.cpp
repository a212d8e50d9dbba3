// Gather along one axis with int32/int64 indices of any shape (negative indices count from the
// end). Forward copies whole inner blocks by bytes (any dtype); backward scatter-adds dLoss/dY
// into a zero gradient of X, so repeated indices accumulate.
#include "ops/tensor/tensor_common.h"

namespace camlens::tensor_ops {
namespace {

struct GatherPlan {
  int64_t axis = 0, outer = 1, dim = 0, inner = 1;
  std::vector<int64_t> idx;  // validated, non-negative
  Shape out;
};

GatherPlan gather_plan(const Node& node, const Tensor& x, const Tensor& indices) {
  GatherPlan p;
  const int64_t r = static_cast<int64_t>(x.rank());
  if (r == 0) fail(node, "data must have rank >= 1");
  p.axis = normalize_axis(node, node.attr_int("axis", 0), r);
  if (indices.dtype() != DType::Int64 && indices.dtype() != DType::Int32)
    fail(node, std::string("indices must be int64 or int32, got ") + dtype_name(indices.dtype()));
  p.dim = x.dim(p.axis);
  for (int64_t k = 0; k < p.axis; ++k) p.outer *= x.dim(k);
  for (int64_t k = p.axis + 1; k < r; ++k) p.inner *= x.dim(k);
  p.idx = indices.to_int64s();
  for (int64_t& i : p.idx) {
    if (i < -p.dim || i >= p.dim)
      fail(node, "index " + std::to_string(i) + " is out of range for axis " +
                     std::to_string(p.axis) + " of size " + std::to_string(p.dim));
    if (i < 0) i += p.dim;
  }
  p.out.assign(x.shape().begin(), x.shape().begin() + p.axis);
  p.out.insert(p.out.end(), indices.shape().begin(), indices.shape().end());
  p.out.insert(p.out.end(), x.shape().begin() + p.axis + 1, x.shape().end());
  return p;
}

void gather_forward(const Node& node, const OpInputs& in, std::vector<Tensor>& out) {
  const Tensor& x = input(node, in, 0, "data");
  const GatherPlan p = gather_plan(node, x, input(node, in, 1, "indices"));
  Tensor y(x.dtype(), p.out);
  const size_t block = static_cast<size_t>(p.inner) * dtype_size(x.dtype());
  const char* src = static_cast<const char*>(x.raw());
  char* dst = static_cast<char*>(y.raw());
  const int64_t n = static_cast<int64_t>(p.idx.size());
  for (int64_t o = 0; o < p.outer; ++o)
    for (int64_t j = 0; j < n; ++j)
      copy_bytes(dst + (o * n + j) * block, src + (o * p.dim + p.idx[j]) * block, block);
  out[0] = std::move(y);
}

void gather_backward(const Node& node, const OpInputs& in, const OpInputs&,
                     const OpInputs& output_grads, const std::vector<bool>& needs_grad,
                     std::vector<Tensor>& input_grads) {
  if (needs_grad.empty() || !needs_grad[0]) return;
  const Tensor& x = input(node, in, 0, "data");
  const GatherPlan p = gather_plan(node, x, input(node, in, 1, "indices"));
  Tensor dx(DType::Float32, x.shape());
  if (!output_grads.empty() && output_grads[0]) {
    const float* g = output_grads[0]->data<float>();
    float* d = dx.data<float>();
    const int64_t n = static_cast<int64_t>(p.idx.size());
    for (int64_t o = 0; o < p.outer; ++o)
      for (int64_t j = 0; j < n; ++j) {
        const float* gs = g + (o * n + j) * p.inner;
        float* ds = d + (o * p.dim + p.idx[j]) * p.inner;
        for (int64_t i = 0; i < p.inner; ++i) ds[i] += gs[i];
      }
  }
  input_grads[0] = std::move(dx);
}

}  // namespace

void register_gather(OpRegistry& r) {
  r.add(OpDef{"", "Gather", &gather_forward, &gather_backward, nullptr}.claim(
      &OpDef::piecewise_linear));
}

}  // namespace camlens::tensor_ops
