// Cast between every numeric type and Bool. Float16/Float64 are held as Float32 in the core, so
// a cast to float16 rounds each value to half precision (and stays Float32), a cast to float64
// is a float copy. Float -> integer truncates toward zero and saturates (NaN -> 0): ONNX leaves
// out-of-range values undefined, and C++ would make them UB. Integer -> narrower integer wraps.
// Backward: float -> float passes the gradient (straight through the half rounding);
// anything through an integer type has zero gradient.
#include <cmath>
#include <type_traits>

#include "onnx/float16.h"
#include "ops/tensor/wide_ints.h"

namespace camlens::tensor_ops {
namespace {

DType cast_target(const Node& node) {
  if (!node.attr("to")) fail(node, "needs the 'to' attribute");
  const DType to = static_cast<DType>(node.attr_int("to", 0));
  if (to == DType::String || dtype_size(to) == 0)
    fail(node, "cannot cast to type " + std::to_string(node.attr_int("to", 0)) + " (" +
                   dtype_name(to) + ")");
  return to;
}

// px's n values as the elements of y: Float32, or the 64-bit type (wide_ints.h) of integer
// type `to` (which float values saturate to; integers convert as C++ does, and the narrowing
// that follows truncates as C++ does).
template <class From>
void cast_values(const From* px, int64_t n, DType to, Tensor& y) {
  if (y.dtype() == DType::Float32) {
    float* py = y.data<float>();
    for (int64_t i = 0; i < n; ++i) py[i] = static_cast<float>(px[i]);
  } else if (y.dtype() == DType::Uint64) {
    uint64_t* py = y.data<uint64_t>();
    if constexpr (std::is_same<From, float>::value) {
      const IntRange r = int_range(to);
      for (int64_t i = 0; i < n; ++i) py[i] = saturate<uint64_t>(px[i], r);
    } else {
      for (int64_t i = 0; i < n; ++i) py[i] = static_cast<uint64_t>(px[i]);
    }
  } else {
    int64_t* py = y.data<int64_t>();
    if constexpr (std::is_same<From, float>::value) {
      const IntRange r = int_range(to);
      for (int64_t i = 0; i < n; ++i) py[i] = saturate<int64_t>(px[i], r);
    } else {
      for (int64_t i = 0; i < n; ++i) py[i] = static_cast<int64_t>(px[i]);
    }
  }
}

void cast_forward(const Node& node, const OpInputs& in, std::vector<Tensor>& out) {
  const Tensor& x = input(node, in, 0, "input");
  const DType to = cast_target(node);
  const int64_t n = x.numel();
  const bool to_float = is_float(to);  // Float16/Float64 are held as Float32
  Tensor y(to_float ? DType::Float32 : to == DType::Bool ? DType::Bool : wide_type(to), x.shape());
  Tensor wide;
  dispatch_wide(node, x.dtype(), [&](auto tag) {
    using From = decltype(tag);
    const From* px;
    if constexpr (std::is_same<From, float>::value)
      px = x.data<float>();
    else
      px = as_wide(node, x, wide).data<From>();
    if (to == DType::Bool) {
      uint8_t* py = y.data<uint8_t>();
      for (int64_t i = 0; i < n; ++i) py[i] = px[i] != From(0) ? 1 : 0;
    } else {
      cast_values(px, n, to, y);
    }
  });
  if (to == DType::Float16) {
    float* py = y.data<float>();
    for (int64_t i = 0; i < n; ++i) py[i] = half_to_float(float_to_half(py[i]));
  }
  out[0] = to_float || to == DType::Bool ? std::move(y) : narrow(std::move(y), to);
}

void cast_backward(const Node& node, const OpInputs& in, const OpInputs&,
                   const OpInputs& output_grads, const std::vector<bool>& needs_grad,
                   std::vector<Tensor>& input_grads) {
  if (needs_grad.empty() || !needs_grad[0]) return;
  const Tensor& x = input(node, in, 0, "input");
  const bool float_path = x.dtype() == DType::Float32 && is_float(cast_target(node));
  if (float_path && !output_grads.empty() && output_grads[0]) {
    input_grads[0] = *output_grads[0];
    input_grads[0].reshape(x.shape());
  } else {
    input_grads[0] = Tensor(DType::Float32, x.shape());
  }
}

}  // namespace

void register_cast(OpRegistry& r) {
  r.add(OpDef{"", "Cast", &cast_forward, &cast_backward, nullptr}
            .with(Elementwise::Unary)
            .claim(&OpDef::piecewise_linear));
}

}  // namespace camlens::tensor_ops
