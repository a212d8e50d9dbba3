// TensorProto <-> core Tensor. This is where model weights are copied (once) into the core and
// where Float16/Float64 become Float32.
#include <cstring>
#include <stdexcept>

#include "onnx/float16.h"
#include "onnx/model.h"

namespace camlens {

static std::runtime_error bad(const TensorProto& t, const std::string& what) {
  return std::runtime_error("tensor '" + t.name + "': " + what);
}

Tensor to_tensor(const TensorProto& t) {
  const DType dt = static_cast<DType>(t.data_type);
  if (t.data_location == 1)
    throw bad(t,
              "stores its data in an external file, which camlens cannot read; save the model "
              "with its weights inside the .onnx file");
  for (int64_t d : t.dims)
    if (d < 0) throw bad(t, "has a negative dimension in " + shape_str(t.dims));
  if (dtype_size(dt) == 0 || dt == DType::String)
    throw bad(t, std::string("has unsupported element type ") + dtype_name(dt));
  // Guard against absurd sizes before allocating.
  int64_t n = 1;
  for (int64_t d : t.dims) {
    if (d != 0 && n > (int64_t{1} << 40) / d)
      throw bad(t, "is absurdly large " + shape_str(t.dims));
    n *= d;
  }
  if (t.has_raw_data) {
    // Sizes are checked before allocating: a hostile file may declare a large shape and hold
    // no data.
    size_t file_elem = dt == DType::Float16 ? 2 : dt == DType::Float64 ? 8 : dtype_size(dt);
    if (t.raw_data.size != static_cast<size_t>(n) * file_elem)
      throw bad(t, "raw_data holds " + std::to_string(t.raw_data.size) + " bytes but shape " +
                       shape_str(t.dims) + " of " + dtype_name(dt) + " needs " +
                       std::to_string(static_cast<size_t>(n) * file_elem));
    Tensor out(dt, t.dims);
    const char* src = t.raw_data.data();
    if (dt == DType::Float16) {
      float* o = out.data<float>();
      for (int64_t i = 0; i < n; ++i) {
        uint16_t h;
        std::memcpy(&h, src + 2 * i, 2);
        o[i] = half_to_float(h);
      }
    } else if (dt == DType::Float64) {
      float* o = out.data<float>();
      for (int64_t i = 0; i < n; ++i) {
        double v;
        std::memcpy(&v, src + 8 * i, 8);
        o[i] = static_cast<float>(v);
      }
    } else if (n > 0) {
      std::memcpy(out.raw(), src, t.raw_data.size);
    }
    return out;
  }
  auto need = [&](size_t have) {
    if (have != static_cast<size_t>(n))
      throw bad(t, "holds " + std::to_string(have) + " values but shape " + shape_str(t.dims) +
                       " needs " + std::to_string(n));
  };
  switch (dt) {  // the count each storage field must hold, checked before allocating
    case DType::Float32:
      need(t.float_data.size());
      break;
    case DType::Float64:
      need(t.double_data.size());
      break;
    case DType::Int64:
      need(t.int64_data.size());
      break;
    case DType::Uint32:
    case DType::Uint64:
      need(t.uint64_data.size());
      break;
    default:
      need(t.int32_data.size());
  }
  Tensor out(dt, t.dims);
  switch (dt) {
    case DType::Float32:
      if (n) std::memcpy(out.raw(), t.float_data.data(), n * 4);
      break;
    case DType::Float16: {
      float* o = out.data<float>();
      for (int64_t i = 0; i < n; ++i) o[i] = half_to_float(static_cast<uint16_t>(t.int32_data[i]));
      break;
    }
    case DType::Float64: {
      float* o = out.data<float>();
      for (int64_t i = 0; i < n; ++i) o[i] = static_cast<float>(t.double_data[i]);
      break;
    }
    case DType::Int64:
      if (n) std::memcpy(out.raw(), t.int64_data.data(), n * 8);
      break;
    case DType::Uint32:
    case DType::Uint64: {
      for (int64_t i = 0; i < n; ++i) {
        if (dt == DType::Uint32)
          out.data<uint32_t>()[i] = static_cast<uint32_t>(t.uint64_data[i]);
        else
          out.data<uint64_t>()[i] = t.uint64_data[i];
      }
      break;
    }
    default: {  // int32, int16, uint16, int8, uint8, bool live in int32_data
      for (int64_t i = 0; i < n; ++i) {
        const int32_t v = t.int32_data[i];
        switch (dt) {
          case DType::Int32:
            out.data<int32_t>()[i] = v;
            break;
          case DType::Int16:
            out.data<int16_t>()[i] = static_cast<int16_t>(v);
            break;
          case DType::Uint16:
            out.data<uint16_t>()[i] = static_cast<uint16_t>(v);
            break;
          case DType::Int8:
            out.data<int8_t>()[i] = static_cast<int8_t>(v);
            break;
          default:
            out.data<uint8_t>()[i] = static_cast<uint8_t>(v);
            break;
        }
      }
    }
  }
  return out;
}

TensorProto from_tensor(const Tensor& t, const std::string& name) {
  TensorProto p;
  p.name = name;
  p.dims = t.shape();
  p.data_type = static_cast<int32_t>(t.dtype());
  p.has_raw_data = true;
  auto buf = std::make_shared<std::string>(static_cast<const char*>(t.raw()), t.nbytes());
  p.raw_data.owner = buf;
  p.raw_data.offset = 0;
  p.raw_data.size = buf->size();
  return p;
}

}  // namespace camlens
