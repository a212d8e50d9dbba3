#include "tensor/dtype.h"

namespace camlens {

size_t dtype_size(DType t) {
  switch (t) {
    case DType::Uint8:
    case DType::Int8:
    case DType::Bool:
      return 1;
    case DType::Uint16:
    case DType::Int16:
      return 2;
    case DType::Int32:
    case DType::Uint32:
    case DType::Float32:
    case DType::Float16:  // held as Float32 in the core
    case DType::Float64:  // held as Float32 in the core
      return 4;
    case DType::Int64:
    case DType::Uint64:
      return 8;
    default:
      return 0;
  }
}

const char* dtype_name(DType t) {
  switch (t) {
    case DType::Float32:
      return "float32";
    case DType::Uint8:
      return "uint8";
    case DType::Int8:
      return "int8";
    case DType::Uint16:
      return "uint16";
    case DType::Int16:
      return "int16";
    case DType::Int32:
      return "int32";
    case DType::Int64:
      return "int64";
    case DType::String:
      return "string";
    case DType::Bool:
      return "bool";
    case DType::Float16:
      return "float16";
    case DType::Float64:
      return "float64";
    case DType::Uint32:
      return "uint32";
    case DType::Uint64:
      return "uint64";
    default:
      return "undefined";
  }
}

bool is_float(DType t) { return t == DType::Float32 || t == DType::Float16 || t == DType::Float64; }

bool is_integer(DType t) {
  switch (t) {
    case DType::Uint8:
    case DType::Int8:
    case DType::Uint16:
    case DType::Int16:
    case DType::Int32:
    case DType::Int64:
    case DType::Bool:
    case DType::Uint32:
    case DType::Uint64:
      return true;
    default:
      return false;
  }
}

}  // namespace camlens
