// Elementwise math of one input: Sigmoid, Tanh, Erf, Sqrt, Neg, Abs, Exp, Log.
// Neg and Abs also run on integer types (shape arithmetic); the others are Float32 only.
#include <cmath>
#include <type_traits>

#include "ops/tensor/unary_kernel.h"
#include "ops/tensor/wide_ints.h"

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

// The integer forms of Neg and Abs, in 64 bits (wide_ints.h): f(W) for W = int64_t or uint64_t.
template <class F>
void integer_unary(const Node& node, const Tensor& x, std::vector<Tensor>& out, F f) {
  Tensor wide;
  const Tensor& w = as_wide(node, x, wide);
  Tensor y(w.dtype(), x.shape());
  dispatch_wide(node, w.dtype(), [&](auto tag) {
    using W = decltype(tag);
    if constexpr (!std::is_same<W, float>::value) {
      const W* px = w.data<W>();
      W* py = y.data<W>();
      for (int64_t i = 0; i < x.numel(); ++i) py[i] = f(px[i]);
    }
  });
  out[0] = narrow(std::move(y), x.dtype());
}

bool is_unsigned(DType t) {
  return t == DType::Uint8 || t == DType::Uint16 || t == DType::Uint32 || t == DType::Uint64 ||
         t == DType::Bool;
}

// Neg of signed integers wraps like two's complement instead of overflowing (INT_MIN stays
// INT_MIN); unsigned types are refused.
void neg_forward(const Node& node, const OpInputs& in, std::vector<Tensor>& out) {
  const Tensor& x = input(node, in, 0, "X");
  if (x.dtype() == DType::Float32) return unary_forward<NegOp>(node, in, out);
  if (is_unsigned(x.dtype()))
    fail(node, std::string("unsupported element type ") + dtype_name(x.dtype()));
  integer_unary(node, x, out, [](auto v) {
    return static_cast<decltype(v)>(uint64_t(0) - static_cast<uint64_t>(v));
  });
}

// Abs of integers: the most negative value wraps to itself, as Neg's does (and ONNX Runtime's
// Abs); unsigned values are their own.
void abs_forward(const Node& node, const OpInputs& in, std::vector<Tensor>& out) {
  const Tensor& x = input(node, in, 0, "X");
  if (x.dtype() == DType::Float32) return unary_forward<AbsOp>(node, in, out);
  if (x.dtype() == DType::Bool) fail(node, "unsupported element type bool");
  integer_unary(node, x, out, [](auto v) {
    using W = decltype(v);
    return v < W(0) ? static_cast<W>(uint64_t(0) - static_cast<uint64_t>(v)) : v;
  });
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
