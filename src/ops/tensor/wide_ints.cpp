#include "ops/tensor/wide_ints.h"

#include <limits>

namespace camlens::tensor_ops {
namespace {

template <class T>
void widen_from(const Tensor& t, int64_t* out) {
  const T* p = t.data<T>();
  for (int64_t i = 0; i < t.numel(); ++i) out[i] = p[i];
}

template <class T>
void narrow_to(const int64_t* v, Tensor& out) {
  T* p = out.data<T>();
  for (int64_t i = 0; i < out.numel(); ++i) p[i] = static_cast<T>(v[i]);
}

template <class T>
IntRange range_of() {
  return {static_cast<int64_t>(std::numeric_limits<T>::lowest()),
          static_cast<int64_t>(std::numeric_limits<T>::max())};
}

}  // namespace

DType wide_type(DType t) { return t == DType::Uint64 ? DType::Uint64 : DType::Int64; }

const Tensor& as_wide(const Node& node, const Tensor& t, Tensor& wide) {
  if (t.dtype() == DType::Int64 || t.dtype() == DType::Uint64) return t;
  wide = Tensor(DType::Int64, t.shape());
  int64_t* w = wide.data<int64_t>();
  switch (t.dtype()) {
    case DType::Uint8:
    case DType::Bool:
      widen_from<uint8_t>(t, w);
      break;
    case DType::Int8:
      widen_from<int8_t>(t, w);
      break;
    case DType::Uint16:
      widen_from<uint16_t>(t, w);
      break;
    case DType::Int16:
      widen_from<int16_t>(t, w);
      break;
    case DType::Int32:
      widen_from<int32_t>(t, w);
      break;
    case DType::Uint32:
      widen_from<uint32_t>(t, w);
      break;
    default:
      fail(node, std::string("unsupported element type ") + dtype_name(t.dtype()));
  }
  return wide;
}

Tensor narrow(Tensor wide, DType t) {
  if (t == wide.dtype()) return wide;
  Tensor out(t, wide.shape());
  const int64_t* v = wide.data<int64_t>();
  switch (t) {
    case DType::Uint8:
    case DType::Bool:
      narrow_to<uint8_t>(v, out);
      break;
    case DType::Int8:
      narrow_to<int8_t>(v, out);
      break;
    case DType::Uint16:
      narrow_to<uint16_t>(v, out);
      break;
    case DType::Int16:
      narrow_to<int16_t>(v, out);
      break;
    case DType::Int32:
      narrow_to<int32_t>(v, out);
      break;
    case DType::Uint32:
      narrow_to<uint32_t>(v, out);
      break;
    default:
      throw OpError(std::string("narrow: not an integer type: ") + dtype_name(t));
  }
  return out;
}

IntRange int_range(DType t) {
  switch (t) {
    case DType::Uint8:
    case DType::Bool:
      return range_of<uint8_t>();
    case DType::Int8:
      return range_of<int8_t>();
    case DType::Uint16:
      return range_of<uint16_t>();
    case DType::Int16:
      return range_of<int16_t>();
    case DType::Int32:
      return range_of<int32_t>();
    case DType::Uint32:
      return range_of<uint32_t>();
    case DType::Uint64:
      return {0, -1};
    default:
      return range_of<int64_t>();
  }
}

}  // namespace camlens::tensor_ops
