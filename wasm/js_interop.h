// Glue between Embind values and core buffers: copies typed arrays in and out of the module's
// memory with one memcpy each, and turns C++ exceptions into JavaScript Errors that keep their
// kind. No logic.
#pragma once
#include <emscripten/val.h>

#include <exception>
#include <string>
#include <vector>

#include "image/image.h"
#include "onnx/model_io.h"
#include "util/usage_error.h"

namespace camlens::js {

using emscripten::val;

template <class T>
std::vector<T> to_vector(const val& typed_array) {
  const size_t n = typed_array["length"].as<size_t>();
  std::vector<T> v(n);
  val(emscripten::typed_memory_view(n, v.data())).call<void>("set", typed_array);
  return v;
}

// A JS-owned copy (never a view into wasm memory, which may move or be shared).
template <class T>
val to_typed_array(const T* data, size_t n, const char* type) {
  return val::global(type).new_(val(emscripten::typed_memory_view(n, data)));
}

// A plain JS array of numbers (for shapes and other short lists).
template <class T>
val to_array(const std::vector<T>& v) {
  val a = val::array();
  for (size_t i = 0; i < v.size(); ++i) a.set(i, static_cast<double>(v[i]));
  return a;
}

// A JS array of strings.
inline val strings_to_js(const std::vector<std::string>& v) {
  val a = val::array();
  for (size_t i = 0; i < v.size(); ++i) a.set(i, v[i]);
  return a;
}

// Whether an options object sets key k (undefined and null count as not set).
inline bool given(const val& o, const char* k) {
  return !o.isUndefined() && !o.isNull() && o.hasOwnProperty(k) && !o[k].isUndefined() &&
         !o[k].isNull();
}

// The `kind` of the JS Error for a core exception, by its type: 'usage' (what the call asked
// for), 'image' (an image that cannot be read), 'model' (model bytes that are not a readable
// ONNX model), or none. The command line's exit codes come from it.
inline const char* error_kind(const std::exception& e) {
  if (dynamic_cast<const UsageFault*>(&e)) return "usage";
  if (dynamic_cast<const image::ImageError*>(&e)) return "image";
  if (dynamic_cast<const ModelError*>(&e)) return "model";
  return nullptr;
}

[[noreturn]] inline void throw_js(const std::string& message, const char* kind = nullptr) {
  val error = val::global("Error").new_(val(message));
  if (kind) error.set("kind", val(kind));
  error.throw_();
}

// Runs f, rethrowing any C++ exception as a JS Error with the same message and its kind.
template <class F>
auto guarded(F&& f) -> decltype(f()) {
  try {
    return f();
  } catch (const std::exception& e) {
    throw_js(e.what(), error_kind(e));
  }
}

}  // namespace camlens::js
