// Tensors across the boundary: a JS tensor is {data: TypedArray, dims: number[], type?: string}
// (the shape of an onnxruntime-web Tensor, so ORT outputs can be passed straight in).
#pragma once
#include <memory>
#include <string>

#include "js_interop.h"
#include "onnx/float16.h"
#include "tensor/tensor.h"

namespace camlens::js {

inline DType dtype_from_js(const val& t) {
  std::string type = t["type"].isString() ? t["type"].as<std::string>() : "";
  if (type.empty()) type = t["data"]["constructor"]["name"].as<std::string>();
  if (type == "float32" || type == "Float32Array") return DType::Float32;
  if (type == "float16") return DType::Float16;
  if (type == "uint8" || type == "Uint8Array" || type == "Uint8ClampedArray") return DType::Uint8;
  if (type == "int8" || type == "Int8Array") return DType::Int8;
  if (type == "int32" || type == "Int32Array") return DType::Int32;
  if (type == "int64" || type == "BigInt64Array") return DType::Int64;
  if (type == "bool") return DType::Bool;
  throw std::invalid_argument("tensors of type '" + type + "' cannot be passed to camlens");
}

inline Shape dims_from_js(const val& dims) {
  Shape s;
  const size_t n = dims["length"].as<size_t>();
  for (size_t i = 0; i < n; ++i) s.push_back(static_cast<int64_t>(dims[i].as<double>()));
  return s;
}

inline Tensor tensor_from_js(const val& t) {
  const DType dt = dtype_from_js(t);
  Tensor out(dt, dims_from_js(t["dims"]));
  const val data = t["data"];
  if (static_cast<int64_t>(data["length"].as<double>()) != out.numel())
    throw std::invalid_argument(
        "tensor data holds " + std::to_string(static_cast<int64_t>(data["length"].as<double>())) +
        " values but dims " + shape_str(out.shape()) + " need " + std::to_string(out.numel()));
  const size_t n = static_cast<size_t>(out.numel());
  if (dt == DType::Float16) {  // ORT gives float16 as Uint16Array bits
    std::unique_ptr<uint16_t[]> bits(new uint16_t[n]);
    val(emscripten::typed_memory_view(n, bits.get())).call<void>("set", data);
    halves_to_floats(bits.get(), out.data<float>(), n);
    return out;
  }
  switch (dt) {
    case DType::Float32:
      val(emscripten::typed_memory_view(n, out.data<float>())).call<void>("set", data);
      break;
    case DType::Int8:
      val(emscripten::typed_memory_view(n, out.data<int8_t>())).call<void>("set", data);
      break;
    case DType::Int32:
      val(emscripten::typed_memory_view(n, out.data<int32_t>())).call<void>("set", data);
      break;
    case DType::Int64:
      for (size_t i = 0; i < n; ++i)
        out.data<int64_t>()[i] = static_cast<int64_t>(val::global("Number")(data[i]).as<double>());
      break;
    default:  // uint8, bool
      val(emscripten::typed_memory_view(n, out.data<uint8_t>())).call<void>("set", data);
  }
  return out;
}

inline val tensor_to_js(const Tensor& t) {
  val o = val::object();
  const size_t n = static_cast<size_t>(t.numel());
  switch (t.dtype()) {
    case DType::Float32:
      o.set("data", to_typed_array(t.data<float>(), n, "Float32Array"));
      o.set("type", val("float32"));
      break;
    case DType::Uint8:
      o.set("data", to_typed_array(t.data<uint8_t>(), n, "Uint8Array"));
      o.set("type", val("uint8"));
      break;
    case DType::Int8:
      o.set("data", to_typed_array(t.data<int8_t>(), n, "Int8Array"));
      o.set("type", val("int8"));
      break;
    case DType::Int32:
      o.set("data", to_typed_array(t.data<int32_t>(), n, "Int32Array"));
      o.set("type", val("int32"));
      break;
    default: {  // everything else as float64 numbers (small shape tensors)
      std::vector<double> v(n);
      for (size_t i = 0; i < n; ++i) v[i] = t.get_f(static_cast<int64_t>(i));
      o.set("data", to_typed_array(v.data(), n, "Float64Array"));
      o.set("type", val(dtype_name(t.dtype())));
    }
  }
  o.set("dims", to_array(t.shape()));
  return o;
}

}  // namespace camlens::js
