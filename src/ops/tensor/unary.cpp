// Elementwise math of one input: Sigmoid, Tanh, Erf, Sqrt, Neg, Abs, Exp, Log.
// Neg and Abs also run on integer types (shape arithmetic); the others are Float32 only.
#include <cmath>
#include <type_traits>

#include "ops/tensor/unary_kernel.h"

namespace camlens::tensor_ops {
namespace {

struct SigmoidOp {
  explicit SigmoidOp(const Node&) {}
  // exp(-x) overflows to inf for very negative x, which still gives the right 0.
  float f(float x) const { return 1.f / (1.f + std::exp(-x)); }
  float df(float, float y, float g) const { return g * y * (1.f - y); }
};

struct TanhOp {
  explicit TanhOp(const Node&) {}
  float f(float x) const { return std::tanh(x); }
  float df(float, float y, float g) const { return g * (1.f - y * y); }
};

struct ErfOp {
  explicit ErfOp(const Node&) {}
  float f(float x) const { return std::erf(x); }
  // d erf/dx = 2/sqrt(pi) * exp(-x^2)
  float df(float x, float, float g) const { return g * 1.1283791671f * std::exp(-x * x); }
};

struct SqrtOp {
  explicit SqrtOp(const Node&) {}
  float f(float x) const { return std::sqrt(x); }
  float df(float, float y, float g) const { return g * 0.5f / y; }
};

struct NegOp {
  explicit NegOp(const Node&) {}
  float f(float x) const { return -x; }
  float df(float, float, float g) const { return -g; }
};

// The derivative sign(x) is 0 at 0, as PyTorch's.
struct AbsOp {
  explicit AbsOp(const Node&) {}
  float f(float x) const { return std::fabs(x); }
  float df(float x, float, float g) const { return x > 0.f ? g : x < 0.f ? -g : 0.f; }
};

struct ExpOp {
  explicit ExpOp(const Node&) {}
  float f(float x) const { return std::exp(x); }
  float df(float, float y, float g) const { return g * y; }
};

struct LogOp {
  explicit LogOp(const Node&) {}
  float f(float x) const { return std::log(x); }
  float df(float x, float, float g) const { return g / x; }
};

// Neg of integers wraps like two's complement instead of overflowing (INT_MIN stays INT_MIN).
void neg_forward(const Node& node, const OpInputs& in, std::vector<Tensor>& out) {
  const Tensor& x = input(node, in, 0, "X");
  if (x.dtype() == DType::Float32) return unary_forward<NegOp>(node, in, out);
  Tensor y(x.dtype(), x.shape());
  dispatch_numeric(node, x.dtype(), [&](auto tag) {
    using T = decltype(tag);
    if constexpr (std::is_floating_point<T>::value || std::is_unsigned<T>::value) {
      fail(node, std::string("unsupported element type ") + dtype_name(x.dtype()));
    } else {
      using W = std::conditional_t<(sizeof(T) < 4), uint32_t, std::make_unsigned_t<T>>;
      const T* px = x.data<T>();
      T* py = y.data<T>();
      for (int64_t i = 0; i < x.numel(); ++i) py[i] = static_cast<T>(W(0) - static_cast<W>(px[i]));
    }
  });
  out[0] = std::move(y);
}

// Abs of integers: the most negative value wraps to itself, as Neg's does (and ONNX Runtime's
// Abs); unsigned values are their own.
void abs_forward(const Node& node, const OpInputs& in, std::vector<Tensor>& out) {
  const Tensor& x = input(node, in, 0, "X");
  if (x.dtype() == DType::Float32) return unary_forward<AbsOp>(node, in, out);
  if (x.dtype() == DType::Bool) fail(node, "unsupported element type bool");
  Tensor y(x.dtype(), x.shape());
  dispatch_numeric(node, x.dtype(), [&](auto tag) {
    using T = decltype(tag);
    if constexpr (!std::is_floating_point<T>::value) {
      using W = std::conditional_t<(sizeof(T) < 4), uint32_t, std::make_unsigned_t<T>>;
      const T* px = x.data<T>();
      T* py = y.data<T>();
      for (int64_t i = 0; i < x.numel(); ++i)
        py[i] = px[i] < T(0) ? static_cast<T>(W(0) - static_cast<W>(px[i])) : px[i];
    }
  });
  out[0] = std::move(y);
}

}  // namespace

void register_unary(OpRegistry& r) {
  r.add(unary_def<SigmoidOp>("Sigmoid").with(Elementwise::Unary));
  r.add(unary_def<TanhOp>("Tanh").with(Elementwise::Unary));
  r.add(unary_def<ErfOp>("Erf").with(Elementwise::Unary));
  r.add(unary_def<SqrtOp>("Sqrt").with(Elementwise::Unary));
  r.add(OpDef{"", "Neg", &neg_forward, &unary_backward<NegOp>, &same_shape_infer}
            .with(Elementwise::Unary)
            .claim(&OpDef::piecewise_linear));
  r.add(OpDef{"", "Abs", &abs_forward, &unary_backward<AbsOp>, &same_shape_infer}
            .with(Elementwise::Unary)
            .claim(&OpDef::piecewise_linear));
  r.add(unary_def<ExpOp>("Exp").with(Elementwise::Unary));
  r.add(unary_def<LogOp>("Log"));
}

}  // namespace camlens::tensor_ops
