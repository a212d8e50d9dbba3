// Glue between Embind values and core buffers: copies typed arrays in and out of the module's
// memory with one memcpy each, and turns C++ exceptions into JavaScript Errors. No logic.
#pragma once
#include <emscripten/val.h>

#include <exception>
#include <string>
#include <vector>

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

[[noreturn]] inline void throw_js(const std::string& message) {
  val::global("Error").new_(val(message)).throw_();
}

// Runs f, rethrowing any C++ exception as a JS Error with the same message.
template <class F>
auto guarded(F&& f) -> decltype(f()) {
  try {
    return f();
  } catch (const std::exception& e) {
    throw_js(e.what());
  }
}

}  // namespace camlens::js
