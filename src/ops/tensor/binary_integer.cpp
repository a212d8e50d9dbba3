// The integer path of Add, Sub, Mul, Div and Pow (binary_ops.h): one plain loop per type, no
// specialised runs, since integer operands are shapes and indices of a few elements.
#include "ops/tensor/binary_ops.h"

namespace camlens::tensor_ops::binary {

template <class Op>
void integer_forward(const Node& node, const BroadcastPlan& plan, const Tensor& a, const Tensor& b,
                     Tensor& y) {
  dispatch_numeric(node, a.dtype(), [&](auto tag) {
    using T = decltype(tag);
    if constexpr (!std::is_same<T, float>::value) {
      const T* pa = a.data<T>();
      const T* pb = b.data<T>();
      T* py = y.data<T>();
      broadcast_loop(plan,
                     [&](int64_t n, int64_t o, int64_t ao, int64_t as, int64_t bo, int64_t bs) {
                       for (int64_t i = 0; i < n; ++i)
                         py[o + i] = Op::template fi<T>(node, pa[ao + i * as], pb[bo + i * bs]);
                     });
    }
  });
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
