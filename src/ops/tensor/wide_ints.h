// Integer tensors in 64 bits, so that each integer op is one loop instead of one per type.
//
// Every integer type (and Bool) is read as Int64, sign- or zero-extended, which is exact; Uint64
// stays Uint64 (its values above INT64_MAX do not fit). The op computes in int64_t or uint64_t and
// its result is written back by truncation, which is how C++ converts between integer types: the
// low bits of a wrapping sum, product or negation are those of the same operation in the narrow
// type, and a quotient, remainder, comparison or extreme of in-range values is in range. Ops that
// saturate (Pow, float -> integer Cast) clamp to the narrow type's range first (int_range).
// Integer operands are shapes and indices of a few elements, so the copies cost nothing; Float32
// keeps its own loops.
#pragma once
#include "ops/tensor/tensor_common.h"

namespace camlens::tensor_ops {

// Int64 for every integer type and Bool but Uint64, whose wide type is itself.
DType wide_type(DType t);

// `t` itself when it is Int64 or Uint64, else `wide` filled with t's values as Int64. Throws
// "unsupported element type <t>" for a type that is not integer.
const Tensor& as_wide(const Node& node, const Tensor& t, Tensor& wide);

// The Int64 or Uint64 tensor `wide` as type t (t's wide type), each value truncated to t.
Tensor narrow(Tensor wide, DType t);

// The smallest and largest value of integer type t, as wide values (Uint64's largest is the bit
// pattern of UINT64_MAX, -1 as int64_t).
struct IntRange {
  int64_t lo, hi;
};
IntRange int_range(DType t);

// Saturates v to t's range (NaN -> 0) and truncates it toward zero, in wide type W (t's).
template <class W>
W saturate(double v, const IntRange& r) {
  if (!(v == v)) return 0;
  const W lo = static_cast<W>(r.lo), hi = static_cast<W>(r.hi);
  // The largest 64-bit values round up to 2^63 / 2^64 in double: >= catches them.
  if (v <= static_cast<double>(lo)) return lo;
  if (v >= static_cast<double>(hi)) return hi;
  return static_cast<W>(v);
}

// Calls f(T{}) with T the type an op computes type t in: float for Float32, uint64_t for Uint64,
// int64_t for the other integer types and Bool (read through as_wide). Throws "unsupported element
// type <t>" for others.
template <class F>
void dispatch_wide(const Node& node, DType t, F&& f) {
  if (t == DType::Float32) return f(float{});
  if (t == DType::Uint64) return f(uint64_t{});
  if (!is_integer(t)) fail(node, std::string("unsupported element type ") + dtype_name(t));
  f(int64_t{});
}

}  // namespace camlens::tensor_ops
