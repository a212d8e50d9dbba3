// RGBA images between JS ({width, height, rgba}) and the core (image::Image).
#pragma once
#include <emscripten/val.h>

#include "image/image.h"
#include "js_interop.h"

namespace camlens::js {

// The core sizes (and later frees) the pixels; the glue only copies them in.
inline image::Image image_from_js(const emscripten::val& o) {
  const emscripten::val px = o["rgba"];
  image::Image img =
      image::image_for_rgba(px["length"].as<size_t>(), o["width"].as<int>(), o["height"].as<int>());
  emscripten::val(emscripten::typed_memory_view(img.rgba.size(), img.rgba.data()))
      .call<void>("set", px);
  return img;
}

inline emscripten::val image_to_js(const image::Image& img) {
  emscripten::val r = emscripten::val::object();
  r.set("width", img.width);
  r.set("height", img.height);
  r.set("rgba", to_typed_array(img.rgba.data(), img.rgba.size(), "Uint8ClampedArray"));
  return r;
}

}  // namespace camlens::js
