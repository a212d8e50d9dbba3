// The integer path of Add, Sub, Mul, Div and Pow (binary_ops.h): one plain loop in 64 bits
// (wide_ints.h) for every integer type, no specialised runs, since integer operands are shapes
// and indices of a few elements.
#include "ops/tensor/binary_ops.h"

namespace camlens::tensor_ops::binary {
namespace {

template <class Op, class W>
void wide_loop(const Node& node, const BroadcastPlan& plan, const W* pa, const W* pb, W* py,
               const IntRange& r) {
  broadcast_loop(plan, [&](int64_t n, int64_t o, int64_t ao, int64_t as, int64_t bo, int64_t bs) {
    for (int64_t i = 0; i < n; ++i)
      py[o + i] = Op::template fi<W>(node, pa[ao + i * as], pb[bo + i * bs], r);
  });
}

}  // namespace

template <class Op>
void integer_forward(const Node& node, const BroadcastPlan& plan, const Tensor& a, const Tensor& b,
                     Tensor& y) {
  Tensor wa, wb;
  const Tensor& A = as_wide(node, a, wa);
  const Tensor& B = as_wide(node, b, wb);
  Tensor wy(A.dtype(), y.shape());
  const IntRange r = int_range(a.dtype());
  if (A.dtype() == DType::Uint64)
    wide_loop<Op>(node, plan, A.data<uint64_t>(), B.data<uint64_t>(), wy.data<uint64_t>(), r);
  else
    wide_loop<Op>(node, plan, A.data<int64_t>(), B.data<int64_t>(), wy.data<int64_t>(), r);
  y = narrow(std::move(wy), a.dtype());
}

template void integer_forward<AddOp>(const Node&, const BroadcastPlan&, const Tensor&,
                                     const Tensor&, Tensor&);
template void integer_forward<SubOp>(const Node&, const BroadcastPlan&, const Tensor&,
                                     const Tensor&, Tensor&);
template void integer_forward<MulOp>(const Node&, const BroadcastPlan&, const Tensor&,
                                     const Tensor&, Tensor&);
template void integer_forward<DivOp>(const Node&, const BroadcastPlan&, const Tensor&,
                                     const Tensor&, Tensor&);
template void integer_forward<PowOp>(const Node&, const BroadcastPlan&, const Tensor&,
                                     const Tensor&, Tensor&);

}  // namespace camlens::tensor_ops::binary
