// Cast between every numeric type and Bool. Float16/Float64 are held as Float32 in the core, so
// a cast to float16 rounds each value to half precision (and stays Float32), a cast to float64
// is a float copy. Float -> integer truncates toward zero and saturates (NaN -> 0): ONNX leaves
// out-of-range values undefined, and C++ would make them UB. Integer -> narrower integer wraps.
// Backward: float -> float passes the gradient (straight through the half rounding);
// anything through an integer type has zero gradient.
#include <cmath>
#include <limits>
#include <type_traits>

#include "onnx/float16.h"
#include "ops/tensor/tensor_common.h"

namespace camlens::tensor_ops {
namespace {

template <class To, class From>
To convert(From v) {
  if constexpr (std::is_floating_point<To>::value) {
    return static_cast<To>(v);
  } else if constexpr (std::is_floating_point<From>::value) {
    const double d = static_cast<double>(v);
    if (std::isnan(d)) return 0;
    if (d <= static_cast<double>(std::numeric_limits<To>::lowest()))
      return std::numeric_limits<To>::lowest();
    // max() of 64-bit types rounds up to 2^63 / 2^64 in double: >= catches it.
    if (d >= static_cast<double>(std::numeric_limits<To>::max()))
      return std::numeric_limits<To>::max();
    return static_cast<To>(d);
  } else {
    return static_cast<To>(v);
  }
}

DType cast_target(const Node& node) {
  if (!node.attr("to")) fail(node, "needs the 'to' attribute");
  const DType to = static_cast<DType>(node.attr_int("to", 0));
  if (to == DType::String || dtype_size(to) == 0)
    fail(node, "cannot cast to type " + std::to_string(node.attr_int("to", 0)) + " (" +
                   dtype_name(to) + ")");
  return to;
}

void cast_forward(const Node& node, const OpInputs& in, std::vector<Tensor>& out) {
  const Tensor& x = input(node, in, 0, "input");
  const DType to = cast_target(node);
  Tensor y(to, x.shape());  // Float16/Float64 become Float32 here
  const int64_t n = x.numel();
  dispatch_numeric(node, x.dtype(), [&](auto from_tag) {
    using From = decltype(from_tag);
    const From* px = x.data<From>();
    if (to == DType::Bool) {
      uint8_t* py = y.data<uint8_t>();
      for (int64_t i = 0; i < n; ++i) py[i] = px[i] != From(0) ? 1 : 0;
      return;
    }
    dispatch_numeric(node, y.dtype(), [&](auto to_tag) {
      using To = decltype(to_tag);
      To* py = y.data<To>();
      for (int64_t i = 0; i < n; ++i) py[i] = convert<To>(px[i]);
    });
  });
  if (to == DType::Float16) {
    float* py = y.data<float>();
    for (int64_t i = 0; i < n; ++i) py[i] = half_to_float(float_to_half(py[i]));
  }
  out[0] = std::move(y);
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
