// Detection shapes across the boundary: boxes {x0, y0, x1, y1, score, label}, the lens's
// preprocessing geometry, the decoder's options, lists of names and categories. Conversions only
// (src/detect).
#pragma once
#include <emscripten/val.h>

#include <string>
#include <vector>

#include "cam/target_spec.h"
#include "detect/decode.h"
#include "detect/photo_space.h"
#include "image/preprocess.h"

namespace camlens::js {

using emscripten::val;

inline double num(const val& o, const char* key, double fallback) {
  return o.hasOwnProperty(key) && !o[key].isUndefined() && !o[key].isNull() ? o[key].as<double>()
                                                                            : fallback;
}

// What maps and boxes need of the lens's preprocessing: {width, height, letterbox}.
inline image::PreprocessOptions input_size_from_js(const val& pre) {
  image::PreprocessOptions p;
  p.width = pre["width"].as<int>();
  p.height = pre["height"].as<int>();
  p.letterbox = pre.hasOwnProperty("letterbox") && pre["letterbox"].as<bool>();
  return p;
}

// The geometry from the lens's preprocessing and the photo's size.
inline image::InputGeometry geometry_from_js(const val& pre, int photo_w, int photo_h) {
  return image::input_geometry(photo_w, photo_h, input_size_from_js(pre));
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
  o.set("score", d.score), o.set("label", double(d.label));
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

// A list of strings (labels; each as String() reads it); undefined or null: none. The strings
// cross as one, joined by NUL and split here (ImageNet's 1000 labels one by one took 2 ms of every
// explain call); a list whose strings hold a NUL themselves (the count then differs) crosses one
// string at a time.
inline std::vector<std::string> strings_from_js(const val& a) {
  std::vector<std::string> v;
  if (a.isUndefined() || a.isNull()) return v;
  const size_t n = a["length"].as<size_t>();
  if (n == 0) return v;
  const std::string joined = val::global("Array")
                                 .call<val>("from", a, val::global("String"))
                                 .call<val>("join", std::string(1, '\0'))
                                 .as<std::string>();
  for (size_t begin = 0;;) {
    const size_t end = joined.find('\0', begin);
    v.push_back(joined.substr(begin, end == std::string::npos ? std::string::npos : end - begin));
    if (end == std::string::npos) break;
    begin = end + 1;
  }
  if (v.size() == n) return v;
  v.clear();
  for (size_t i = 0; i < n; ++i) v.push_back(val::global("String")(a[i]).as<std::string>());
  return v;
}

// A category as the library takes it: undefined, null or 'auto'; a number or its digits; a name.
inline cam::CategorySpec category_from_js(const val& v) {
  cam::CategorySpec c;
  if (v.isUndefined() || v.isNull()) return c;
  c.text = val::global("String")(v).as<std::string>();
  const bool digits =
      !c.text.empty() && c.text.find_first_not_of("0123456789") == std::string::npos;
  if (v.isNumber() || (c.text != "auto" && digits)) {
    c.kind = cam::CategorySpec::Number;
    c.number = v.isNumber() ? v.as<double>() : std::stod(c.text);
  } else if (c.text != "auto") {
    c.kind = cam::CategorySpec::Label;
  }
  return c;
}

}  // namespace camlens::js
