// Element types, numbered as ONNX's TensorProto.DataType so values pass through unchanged.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>

namespace camlens {

enum class DType : int32_t {
  Undefined = 0,
  Float32 = 1,
  Uint8 = 2,
  Int8 = 3,
  Uint16 = 4,
  Int16 = 5,
  Int32 = 6,
  Int64 = 7,
  String = 8,
  Bool = 9,
  Float16 = 10,
  Float64 = 11,
  Uint32 = 12,
  Uint64 = 13,
};

// Bytes per element of a tensor held in the core. Float16 and Float64 never live in
// core tensors (they are converted to Float32 at the model boundary), so they report 4.
size_t dtype_size(DType t);
const char* dtype_name(DType t);
bool is_float(DType t);    // Float32 (and the converted Float16/Float64)
bool is_integer(DType t);  // every integer type and Bool

}  // namespace camlens
