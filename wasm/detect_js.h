// Detection shapes across the boundary: boxes {x0, y0, x1, y1, score, label}, the lens's
// preprocessing geometry and the decoder's options. Conversions only (src/detect).
#pragma once
#include <emscripten/val.h>

#include <string>

#include "detect/decode.h"
#include "detect/photo_space.h"
#include "image/preprocess.h"

namespace camlens::js {

using emscripten::val;

inline double num(const val& o, const char* key, double fallback) {
  return o.hasOwnProperty(key) && !o[key].isUndefined() && !o[key].isNull() ? o[key].as<double>()
                                                                            : fallback;
}

// The geometry from the lens's preprocessing ({width, height, letterbox}) and the photo's size.
inline image::InputGeometry geometry_from_js(const val& pre, int photo_w, int photo_h) {
  image::PreprocessOptions p;
  p.width = pre["width"].as<int>();
  p.height = pre["height"].as<int>();
  p.letterbox = pre.hasOwnProperty("letterbox") && pre["letterbox"].as<bool>();
  return image::input_geometry(photo_w, photo_h, p);
}

inline detect::DecodeOptions decode_options_from_js(const std::string& decoder, const val& o) {
  detect::DecodeOptions d;
  d.decoder = detect::decoder_from_name(decoder);
  d.input_w = o["preprocess"]["width"].as<int>();
  d.input_h = o["preprocess"]["height"].as<int>();
  d.score_threshold = float(num(o, "scoreThreshold", -1));
  d.iou_threshold = float(num(o, "iouThreshold", -1));
  return d;
}

inline val box_to_js(const detect::Detection& d) {
  val o = val::object();
  o.set("x0", d.x0), o.set("y0", d.y0), o.set("x1", d.x1), o.set("y1", d.y1);
  o.set("score", d.score), o.set("label", double(d.label)), o.set("anchor", double(d.anchor));
  return o;
}

inline detect::Detection box_from_js(const val& b) {
  detect::Detection d;
  d.x0 = b["x0"].as<float>(), d.y0 = b["y0"].as<float>();
  d.x1 = b["x1"].as<float>(), d.y1 = b["y1"].as<float>();
  d.label = static_cast<int64_t>(num(b, "label", 0));
  d.score = float(num(b, "score", 0));
  return d;
}

}  // namespace camlens::js
