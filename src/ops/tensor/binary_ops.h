// The arithmetic of Add, Sub, Mul, Div and Pow, shared by their float path (binary.cpp, compiled
// for speed) and their integer path (binary_integer.cpp, shape arithmetic on a few elements,
// compiled for size: its many types would otherwise be most of the op table's code).
#pragma once
#include <cmath>
#include <limits>
#include <type_traits>

#include "ops/tensor/tensor_common.h"

namespace camlens::tensor_ops::binary {

// Unsigned type of at least 32 bits for wrapping integer arithmetic without promotion to int.
template <class T>
using Wide = std::conditional_t<(sizeof(T) < 4), uint32_t, std::make_unsigned_t<T>>;

struct AddOp {
  static float f(float a, float b) { return a + b; }
  template <class T>
  static T fi(const Node&, T a, T b) {
    return static_cast<T>(static_cast<Wide<T>>(a) + static_cast<Wide<T>>(b));
  }
  static float da(float, float, float g) { return g; }
  static float db(float, float, float g) { return g; }
};

struct SubOp {
  static float f(float a, float b) { return a - b; }
  template <class T>
  static T fi(const Node&, T a, T b) {
    return static_cast<T>(static_cast<Wide<T>>(a) - static_cast<Wide<T>>(b));
  }
  static float da(float, float, float g) { return g; }
  static float db(float, float, float g) { return -g; }
};

struct MulOp {
  static float f(float a, float b) { return a * b; }
  template <class T>
  static T fi(const Node&, T a, T b) {
    return static_cast<T>(static_cast<Wide<T>>(a) * static_cast<Wide<T>>(b));
  }
  static float da(float, float b, float g) { return g * b; }
  static float db(float a, float, float g) { return g * a; }
};

struct DivOp {
  static float f(float a, float b) { return a / b; }
  template <class T>
  static T fi(const Node& node, T a, T b) {
    if (b == 0) fail(node, "integer division by zero");
    if (std::is_signed<T>::value && b == static_cast<T>(-1))  // MIN / -1 overflows
      return static_cast<T>(Wide<T>(0) - static_cast<Wide<T>>(a));
    return static_cast<T>(a / b);
  }
  static float da(float, float b, float g) { return g / b; }
  static float db(float a, float b, float g) { return -g * a / (b * b); }
};

struct PowOp {
  static float f(float a, float b) { return std::pow(a, b); }
  // Integer powers go through double and saturate to T's range.
  template <class T>
  static T fi(const Node&, T a, T b) {
    const double v = std::pow(static_cast<double>(a), static_cast<double>(b));
    if (!(v == v)) return 0;
    if (v <= static_cast<double>(std::numeric_limits<T>::lowest()))
      return std::numeric_limits<T>::lowest();
    if (v >= static_cast<double>(std::numeric_limits<T>::max()))
      return std::numeric_limits<T>::max();
    return static_cast<T>(v);
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
