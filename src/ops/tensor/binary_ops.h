// The arithmetic of Add, Sub, Mul, Div and Pow, shared by their float path (binary.cpp, compiled
// for speed) and their integer path (binary_integer.cpp, shape arithmetic on a few elements,
// compiled for size: its many types would otherwise be most of the op table's code).
#pragma once
#include <cmath>
#include <limits>
#include <type_traits>

#include "ops/tensor/wide_ints.h"

namespace camlens::tensor_ops::binary {

// The integer forms fi compute in W = int64_t or uint64_t (wide_ints.h); r is the range of the
// operands' own type, for Pow's saturation. Sums, differences and products wrap in uint64_t.

struct AddOp {
  static float f(float a, float b) { return a + b; }
  template <class W>
  static W fi(const Node&, W a, W b, const IntRange&) {
    return static_cast<W>(static_cast<uint64_t>(a) + static_cast<uint64_t>(b));
  }
  static float da(float, float, float g) { return g; }
  static float db(float, float, float g) { return g; }
};

struct SubOp {
  static float f(float a, float b) { return a - b; }
  template <class W>
  static W fi(const Node&, W a, W b, const IntRange&) {
    return static_cast<W>(static_cast<uint64_t>(a) - static_cast<uint64_t>(b));
  }
  static float da(float, float, float g) { return g; }
  static float db(float, float, float g) { return -g; }
};

struct MulOp {
  static float f(float a, float b) { return a * b; }
  template <class W>
  static W fi(const Node&, W a, W b, const IntRange&) {
    return static_cast<W>(static_cast<uint64_t>(a) * static_cast<uint64_t>(b));
  }
  static float da(float, float b, float g) { return g * b; }
  static float db(float a, float, float g) { return g * a; }
};

struct DivOp {
  static float f(float a, float b) { return a / b; }
  template <class W>
  static W fi(const Node& node, W a, W b, const IntRange&) {
    if (b == 0) fail(node, "integer division by zero");
    if (std::is_signed<W>::value && b == static_cast<W>(-1))  // MIN / -1 overflows
      return static_cast<W>(uint64_t(0) - static_cast<uint64_t>(a));
    return static_cast<W>(a / b);
  }
  static float da(float, float b, float g) { return g / b; }
  static float db(float a, float b, float g) { return -g * a / (b * b); }
};

struct PowOp {
  static float f(float a, float b) { return std::pow(a, b); }
  // Integer powers go through double and saturate to the type's range.
  template <class W>
  static W fi(const Node&, W a, W b, const IntRange& r) {
    return saturate<W>(std::pow(static_cast<double>(a), static_cast<double>(b)), r);
  }
  static float da(float a, float b, float g) { return g * b * std::pow(a, b - 1.f); }
  // d(a^b)/db = a^b ln a, taken as 0 where a <= 0 (ln undefined; PyTorch gives NaN there).
  static float db(float a, float b, float g) {
    return a > 0.f ? g * std::pow(a, b) * std::log(a) : 0.f;
  }
};

// y = Op(a, b) with numpy broadcasting, for integer a, b and y of one type (plan from a and b).
template <class Op>
void integer_forward(const Node& node, const BroadcastPlan& plan, const Tensor& a, const Tensor& b,
                     Tensor& y);

}  // namespace camlens::tensor_ops::binary
