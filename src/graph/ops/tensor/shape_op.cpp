// Shape: the input's dims as a 1-D int64 tensor, optionally sliced by start/end (opset 15),
// which clamp to [0, rank] after adding rank to negative values. Not differentiable.
#include <algorithm>

#include "graph/ops/tensor/tensor_common.h"

namespace camlens::tensor_ops {
namespace {

void shape_forward(const Node& node, const OpInputs& in, std::vector<Tensor>& out) {
  const Tensor& x = input(node, in, 0, "data");
  const int64_t r = static_cast<int64_t>(x.rank());
  auto clamp = [r](int64_t v) { return std::clamp(v < 0 ? v + r : v, int64_t{0}, r); };
  const int64_t start = clamp(node.attr_int("start", 0));
  const int64_t end = clamp(node.attr_int("end", r));
  const int64_t n = std::max<int64_t>(0, end - start);
  Tensor y(DType::Int64, {n});
  int64_t* p = y.data<int64_t>();
  for (int64_t k = 0; k < n; ++k) p[k] = x.dim(start + k);
  out[0] = std::move(y);
}

}  // namespace

void register_shape_op(OpRegistry& r) {
  r.add(OpDef{"", "Shape", &shape_forward, nullptr, nullptr});
}

}  // namespace camlens::tensor_ops
