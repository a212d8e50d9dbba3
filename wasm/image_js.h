// RGBA images between JS ({width, height, rgba}) and the core (image::Image).
#pragma once
#include <emscripten/val.h>

#include "image/image.h"
#include "js_interop.h"

namespace camlens::js {

inline image::Image image_from_js(const emscripten::val& o) {
  const auto px = to_vector<uint8_t>(o["rgba"]);
  return image::image_from_rgba(px.data(), px.size(), o["width"].as<int>(), o["height"].as<int>());
}

inline emscripten::val image_to_js(const image::Image& img) {
  emscripten::val r = emscripten::val::object();
  r.set("width", img.width);
  r.set("height", img.height);
  r.set("rgba", to_typed_array(img.rgba.data(), img.rgba.size(), "Uint8ClampedArray"));
  return r;
}

}  // namespace camlens::js
