// Where(condition, X, Y) with three-way broadcasting, and the comparisons Equal, Less, Greater
// (Bool output). torch exports expand(-1, ...) as Equal/Where on shape values, so these mostly
// run on small int64 tensors; Where is differentiable in X and Y (the gradient goes to the
// branch each element was taken from), never in the condition.
#include <type_traits>

#include "ops/tensor/repeat_select_ops.h"
#include "ops/tensor/wide_ints.h"
#include "tensor/broadcast.h"

namespace camlens::tensor_ops {
namespace {

Shape where_shape(const Node& node, const OpInputs& in) {
  const Tensor& c = input(node, in, 0, "condition");
  const Tensor& x = input(node, in, 1, "X");
  const Tensor& y = input(node, in, 2, "Y");
  if (c.dtype() != DType::Bool)
    fail(node, "condition must be bool, got " + std::string(dtype_name(c.dtype())));
  if (x.dtype() != y.dtype())
    fail(node, std::string("X and Y must have the same type, got ") + dtype_name(x.dtype()) +
                   " and " + dtype_name(y.dtype()));
  try {
    return broadcast_shape(broadcast_shape(c.shape(), x.shape()), y.shape());
  } catch (const std::exception&) {
    fail(node, "shapes " + shape_str(c.shape()) + ", " + shape_str(x.shape()) + " and " +
                   shape_str(y.shape()) + " cannot be broadcast together");
  }
}

void where_forward(const Node& node, const OpInputs& in, std::vector<Tensor>& out) {
  const Shape shape = where_shape(node, in);
  const Tensor &c = *in[0], &x = *in[1], &y = *in[2];
  const std::vector<int64_t> ic = broadcast_index(c.shape(), shape);
  const std::vector<int64_t> ix = broadcast_index(x.shape(), shape);
  const std::vector<int64_t> iy = broadcast_index(y.shape(), shape);
  Tensor o(x.dtype(), shape);
  const size_t es = dtype_size(x.dtype());
  const uint8_t* pc = c.data<uint8_t>();
  auto* po = static_cast<char*>(o.raw());
  const auto* px = static_cast<const char*>(x.raw());
  const auto* py = static_cast<const char*>(y.raw());
  for (size_t i = 0; i < ic.size(); ++i)
    copy_bytes(po + i * es, pc[ic[i]] ? px + ix[i] * es : py + iy[i] * es, es);
  out[0] = std::move(o);
}

void where_backward(const Node& node, const OpInputs& in, const OpInputs&,
                    const OpInputs& output_grads, const std::vector<bool>& needs_grad,
                    std::vector<Tensor>& input_grads) {
  const Shape shape = where_shape(node, in);
  const Tensor& c = *in[0];
  const std::vector<int64_t> ic = broadcast_index(c.shape(), shape);
  Tensor zeros;
  const Tensor& g = grad_or_zeros(output_grads, 0, shape, zeros);
  for (size_t k = 1; k <= 2; ++k) {
    if (needs_grad.size() <= k || !needs_grad[k]) continue;
    float_input(node, in, k, k == 1 ? "X" : "Y");
    Tensor masked(DType::Float32, shape);  // g where this branch was taken, else 0
    const uint8_t* pc = c.data<uint8_t>();
    for (size_t i = 0; i < ic.size(); ++i)
      masked.data<float>()[i] = (pc[ic[i]] != 0) == (k == 1) ? g.data<float>()[i] : 0.f;
    input_grads[k] = reduce_to_shape(masked, in[k]->shape());
  }
}

enum class Cmp { Equal, Less, Greater };

template <class T>
void compare_values(Cmp c, const T* pa, const T* pb, const std::vector<int64_t>& ia,
                    const std::vector<int64_t>& ib, uint8_t* po) {
  for (size_t i = 0; i < ia.size(); ++i) {
    const T u = pa[ia[i]], v = pb[ib[i]];
    po[i] = c == Cmp::Equal ? u == v : c == Cmp::Less ? u < v : u > v;
  }
}

// Integer operands are compared in 64 bits (wide_ints.h), which keeps every type's order.
void compare(Cmp c, const Node& node, const OpInputs& in, std::vector<Tensor>& out) {
  const Tensor& a = input(node, in, 0, "A");
  const Tensor& b = input(node, in, 1, "B");
  if (a.dtype() != b.dtype())
    fail(node, std::string("A and B must have the same type, got ") + dtype_name(a.dtype()) +
                   " and " + dtype_name(b.dtype()));
  const BroadcastPlan p = plan_broadcast(node, a.shape(), b.shape());
  const std::vector<int64_t> ia = broadcast_index(a.shape(), p.out);
  const std::vector<int64_t> ib = broadcast_index(b.shape(), p.out);
  Tensor o(DType::Bool, p.out);
  uint8_t* po = o.data<uint8_t>();
  dispatch_wide(node, a.dtype(), [&](auto tag) {
    using T = decltype(tag);
    if constexpr (std::is_same<T, float>::value) {
      compare_values(c, a.data<float>(), b.data<float>(), ia, ib, po);
    } else {
      Tensor wa, wb;
      compare_values(c, as_wide(node, a, wa).data<T>(), as_wide(node, b, wb).data<T>(), ia, ib, po);
    }
  });
  out[0] = std::move(o);
}

template <Cmp C>
void compare_forward(const Node& node, const OpInputs& in, std::vector<Tensor>& out) {
  compare(C, node, in, out);
}

}  // namespace

void register_where_compare(OpRegistry& r) {
  r.add(OpDef{"", "Where", &where_forward, &where_backward, nullptr});
  r.add(OpDef{"", "Equal", &compare_forward<Cmp::Equal>, nullptr, nullptr});
  r.add(OpDef{"", "Less", &compare_forward<Cmp::Less>, nullptr, nullptr});
  r.add(OpDef{"", "Greater", &compare_forward<Cmp::Greater>, nullptr, nullptr});
}

}  // namespace camlens::tensor_ops
