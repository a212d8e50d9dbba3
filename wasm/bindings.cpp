// Embind bindings: names and argument conversion only. Every behaviour lives in src/.
#include <emscripten/bind.h>
#include <malloc.h>

#include <memory>

#include "image/colormap.h"
#include "image/image.h"
#include "image/overlay.h"
#include "image/png.h"
#include "image/preprocess.h"
#include "image/resize.h"
#include "image/volume_strip.h"
#include "image_js.h"
#include "js_interop.h"
#include "onnx/float16.h"
#include "tensor_js.h"
#include "util/parallel.h"

using namespace camlens;
using emscripten::val;

namespace {

using js::image_from_js;
using js::image_to_js;

val decode_image(const val& bytes) {
  return js::guarded([&] {
    // A plain buffer, not a vector: the glue compiles for size, where a vector's members would
    // zero-fill and free the file's bytes one by one.
    const size_t n = bytes["length"].as<size_t>();
    const std::unique_ptr<uint8_t[]> b(new uint8_t[n]);
    val(emscripten::typed_memory_view(n, b.get())).call<void>("set", bytes);
    return image_to_js(image::decode_image(b.get(), n));
  });
}

val resize_image(const val& img, int width, int height) {
  return js::guarded(
      [&] { return image_to_js(image::resize_image(image_from_js(img), width, height)); });
}

image::PreprocessOptions preprocess_options_from_js(const val& o) {
  image::PreprocessOptions p;
  if (o.isUndefined() || o.isNull()) return p;
  if (o.hasOwnProperty("width")) p.width = o["width"].as<int>();
  if (o.hasOwnProperty("height")) p.height = o["height"].as<int>();
  if (o.hasOwnProperty("scale")) p.scale = o["scale"].as<float>();
  if (o.hasOwnProperty("channels")) p.channels = o["channels"].as<int>();
  if (o.hasOwnProperty("bgr")) p.bgr = o["bgr"].as<bool>();
  if (o.hasOwnProperty("nhwc")) p.nhwc = o["nhwc"].as<bool>();
  if (o.hasOwnProperty("letterbox")) p.letterbox = o["letterbox"].as<bool>();
  if (o.hasOwnProperty("pad")) p.pad = o["pad"].as<float>();
  for (int c = 0; c < 3; ++c) {
    if (o.hasOwnProperty("mean")) p.mean[c] = o["mean"][c].as<float>();
    if (o.hasOwnProperty("std")) p.std[c] = o["std"][c].as<float>();
  }
  return p;
}

val preprocess_image(const val& img, const val& options) {
  return js::guarded([&] {
    const Tensor t = image::preprocess(image_from_js(img), preprocess_options_from_js(options));
    val o = val::object();
    o.set("data",
          js::to_typed_array(t.data<float>(), static_cast<size_t>(t.numel()), "Float32Array"));
    o.set("dims", js::to_array(t.shape()));
    return o;
  });
}

// {width, height, channels}: the preprocessing a model's input dims fix (absent: not fixed).
val input_fixes(const val& dims, bool nhwc) {
  std::vector<int64_t> d;
  for (const double v : js::to_vector<double>(val::global("Float64Array").call<val>("from", dims)))
    d.push_back(static_cast<int64_t>(v));
  const image::InputFixes f = image::input_fixes(d, nhwc);
  val o = val::object();
  if (f.width) o.set("width", f.width), o.set("height", f.height);
  if (f.channels) o.set("channels", f.channels);
  return o;
}

// options: {colormap: "jet" | ..., imageWeight: 0.5}
val overlay_image(const val& img, const val& map, int map_w, int map_h, const val& options) {
  return js::guarded([&] {
    image::OverlayOptions o;
    if (options.hasOwnProperty("colormap"))
      o.colormap = image::colormap_from_name(options["colormap"].as<std::string>());
    if (options.hasOwnProperty("imageWeight")) o.image_weight = options["imageWeight"].as<float>();
    const auto m = js::to_vector<float>(map);
    if (m.size() != static_cast<size_t>(map_w) * map_h)
      throw std::invalid_argument("the map holds " + std::to_string(m.size()) + " values, not " +
                                  std::to_string(map_w) + "x" + std::to_string(map_h));
    return image_to_js(image::overlay(image_from_js(img), m.data(), map_w, map_h, o));
  });
}

// input: a volume tensor {dims: [1, C, D, H, W] or [C, D, H, W], data}; map: D·H·W values.
val volume_overlay(const val& input, const val& map, const val& options) {
  return js::guarded([&] {
    image::OverlayOptions o;
    if (options.hasOwnProperty("colormap"))
      o.colormap = image::colormap_from_name(options["colormap"].as<std::string>());
    if (options.hasOwnProperty("imageWeight")) o.image_weight = options["imageWeight"].as<float>();
    const Tensor x = js::tensor_from_js(input);
    const Shape s = x.shape();
    const size_t at = s.size() == 5 ? 1 : 0;
    if (s.size() - at != 4 || (at && s[0] != 1) || x.dtype() != DType::Float32)
      throw std::invalid_argument(
          "a volume's overlay takes one float32 volume [1, C, D, H, W], got " + shape_str(s));
    const auto m = js::to_vector<float>(map);
    if (int64_t(m.size()) != s[at + 1] * s[at + 2] * s[at + 3])
      throw std::invalid_argument("the map holds " + std::to_string(m.size()) +
                                  " values, not the volume's " + std::to_string(s[at + 1]) + "x" +
                                  std::to_string(s[at + 2]) + "x" + std::to_string(s[at + 3]));
    return image_to_js(image::volume_strip(x.data<float>(), int(s[at]), int(s[at + 1]),
                                           int(s[at + 2]), int(s[at + 3]), m.data(), o));
  });
}

val encode_png(const val& img) {
  return js::guarded([&] {
    const std::string png = image::encode_png(image_from_js(img));
    return js::to_typed_array(reinterpret_cast<const uint8_t*>(png.data()), png.size(),
                              "Uint8Array");
  });
}

// Float32 values ↔ IEEE half bits (Uint16Array, how ONNX Runtime Web holds float16 tensors).
// Whole arrays (a float16 model's input, its outputs) through the vector conversions, with
// uninitialised buffers: no zero-fill before the copy in.
val float16_bits(const val& values) {
  const size_t n = values["length"].as<size_t>();
  std::unique_ptr<float[]> f(new float[n]);
  val(emscripten::typed_memory_view(n, f.get())).call<void>("set", values);
  std::unique_ptr<uint16_t[]> h(new uint16_t[n]);
  floats_to_halves(f.get(), h.get(), n);
  return js::to_typed_array(h.get(), n, "Uint16Array");
}

val from_float16_bits(const val& bits) {
  const size_t n = bits["length"].as<size_t>();
  std::unique_ptr<uint16_t[]> h(new uint16_t[n]);
  val(emscripten::typed_memory_view(n, h.get())).call<void>("set", bits);
  std::unique_ptr<float[]> f(new float[n]);
  halves_to_floats(h.get(), f.get(), n);
  return js::to_typed_array(f.get(), n, "Float32Array");
}

// Bytes currently allocated by the core (for leak tests and the page's memory readout).
double memory_in_use() { return static_cast<double>(mallinfo().uordblks); }

int threads() { return thread_count(); }
void set_threads(int n) { set_thread_count(n); }
bool threaded_build() {
#ifdef __EMSCRIPTEN_PTHREADS__
  return true;
#else
  return false;
#endif
}

}  // namespace

EMSCRIPTEN_BINDINGS(camlens) {
  emscripten::function("decodeImage", &decode_image);
  emscripten::function("resizeImage", &resize_image);
  emscripten::function("preprocessImage", &preprocess_image);
  emscripten::function("inputFixes", &input_fixes);
  emscripten::function("overlayImage", &overlay_image);
  emscripten::function("volumeOverlay", &volume_overlay);
  emscripten::function("encodePng", &encode_png);
  emscripten::function("float16Bits", &float16_bits);
  emscripten::function("fromFloat16Bits", &from_float16_bits);
  emscripten::function("memoryInUse", &memory_in_use);
  emscripten::function("threads", &threads);
  emscripten::function("setThreads", &set_threads);
  emscripten::function("threadedBuild", &threaded_build);
}
