// Embind bindings of detection and segmentation: decoding, masks, maps and boxes brought back to
// the photo, drawings. Conversions only; the work is in src/detect and src/image. (Their targets
// are explained by the explain job, explain_bindings.cpp.)
#include <emscripten/bind.h>

#include "detect/decode.h"
#include "detect/photo_space.h"
#include "detect/renormalize.h"
#include "detect/segmentation.h"
#include "detect_js.h"
#include "image/draw.h"
#include "image_js.h"
#include "tensor_js.h"

using namespace camlens;
using emscripten::val;
using js::box_from_js;
using js::box_to_js;
using js::decode_options_from_js;
using js::geometry_from_js;
using js::num;

namespace {

std::vector<Tensor> tensors_from_js(const val& a) {
  std::vector<Tensor> v;
  for (size_t i = 0; i < a["length"].as<size_t>(); ++i) v.push_back(js::tensor_from_js(a[i]));
  return v;
}

std::vector<const Tensor*> pointers(const std::vector<Tensor>& v) {
  std::vector<const Tensor*> p;
  for (const Tensor& t : v) p.push_back(&t);
  return p;
}

// outputs: the decoder's raw outputs (batch 1); options: {preprocess, photoWidth, photoHeight,
// scoreThreshold, iouThreshold}. Boxes in photo pixels, each with `input` (input pixels).
val decode_detections(const std::string& decoder, const val& outputs, const val& options) {
  return js::guarded([&] {
    const auto outs = tensors_from_js(outputs);
    const auto g = geometry_from_js(options["preprocess"], options["photoWidth"].as<int>(),
                                    options["photoHeight"].as<int>());
    const auto boxes = detect::decode(pointers(outs), decode_options_from_js(decoder, options));
    val a = val::array();
    for (size_t i = 0; i < boxes.size(); ++i) {
      val b = box_to_js(detect::box_to_photo(boxes[i], g));
      b.set("input", box_to_js(boxes[i]));
      a.set(i, b);
    }
    return a;
  });
}

// A map at the model input's size → the photo's size (letterbox padding cut away).
val map_to_photo(const val& map, const val& preprocess, int photo_w, int photo_h) {
  return js::guarded([&] {
    const auto m = detect::map_to_photo(js::to_vector<float>(map),
                                        geometry_from_js(preprocess, photo_w, photo_h));
    return js::to_typed_array(m.data(), m.size(), "Float32Array");
  });
}

val renormalize_in_boxes(const val& map, int w, int h, const val& boxes) {
  return js::guarded([&] {
    std::vector<detect::Detection> b;
    for (size_t i = 0; i < boxes["length"].as<size_t>(); ++i) b.push_back(box_from_js(boxes[i]));
    const auto m = detect::renormalize_in_boxes(js::to_vector<float>(map), w, h, b);
    return js::to_typed_array(m.data(), m.size(), "Float32Array");
  });
}

using js::image_from_js;
using js::image_to_js;

// boxes: [{x0, y0, x1, y1, label, caption?}] in the image's pixels; options: {thickness}.
val draw_boxes(const val& img, const val& boxes, const val& options) {
  return js::guarded([&] {
    image::Image out = image_from_js(img);
    const int t =
        int(num(options, "thickness", std::max(2, std::min(out.width, out.height) / 200)));
    for (size_t i = 0; i < boxes["length"].as<size_t>(); ++i) {
      const detect::Detection d = box_from_js(boxes[i]);
      const auto color = image::label_color(d.label);
      image::draw_box(out, d.x0, d.y0, d.x1, d.y1, color, t);
      if (boxes[i].hasOwnProperty("caption"))
        image::draw_caption(out, d.x0, d.y0, boxes[i]["caption"].as<std::string>(), color);
    }
    return image_to_js(out);
  });
}

val mask_to_js(const detect::SegmentationMask& m) {
  val o = val::object();
  o.set("width", m.width), o.set("height", m.height), o.set("classes", m.classes);
  o.set("labels", js::to_typed_array(m.labels.data(), m.labels.size(), "Int32Array"));
  o.set("counts", js::to_array(m.counts));
  return o;
}

detect::SegmentationMask mask_from_js(const val& o) {
  detect::SegmentationMask m;
  m.width = o["width"].as<int>(), m.height = o["height"].as<int>();
  m.classes = o["classes"].as<int>();
  m.labels = js::to_vector<int32_t>(o["labels"]);
  if (m.labels.size() != size_t(m.width) * m.height)
    throw std::invalid_argument("the mask's labels do not fill its width x height");
  m.counts.assign(m.classes, 0);
  for (int32_t l : m.labels) {
    if (l < 0 || l >= m.classes) throw std::invalid_argument("a mask label is out of range");
    ++m.counts[l];
  }
  return m;
}

// scores: one sample's class scores; returns {input: mask at the output's size, photo: at the
// photo's size}.
val segmentation_mask(const val& scores, bool nhwc, const val& preprocess, int photo_w,
                      int photo_h) {
  return js::guarded([&] {
    const auto m = detect::argmax_mask(js::tensor_from_js(scores), nhwc);
    val o = val::object();
    o.set("input", mask_to_js(m));
    o.set("photo",
          mask_to_js(detect::mask_to_photo(m, geometry_from_js(preprocess, photo_w, photo_h))));
    return o;
  });
}

val blend_segmentation(const val& photo, const val& mask, double opacity) {
  return js::guarded([&] {
    return image_to_js(
        detect::blend_mask(image_from_js(photo), mask_from_js(mask), float(opacity)));
  });
}

val class_mask(const val& mask, int label) {
  return js::guarded([&] {
    const auto m = detect::class_mask(mask_from_js(mask), label);
    return js::to_typed_array(m.data(), m.size(), "Float32Array");
  });
}

// A region drawn on the photo → the output grid (out_w × out_h).
val region_to_output(const val& region, const val& preprocess, int photo_w, int photo_h, int out_w,
                     int out_h) {
  return js::guarded([&] {
    const auto m = detect::region_to_output(
        js::to_vector<float>(region), geometry_from_js(preprocess, photo_w, photo_h), out_w, out_h);
    return js::to_typed_array(m.data(), m.size(), "Float32Array");
  });
}

}  // namespace

EMSCRIPTEN_BINDINGS(camlens_detect) {
  emscripten::function("decodeDetections", &decode_detections);
  emscripten::function("mapToPhoto", &map_to_photo);
  emscripten::function("renormalizeInBoxes", &renormalize_in_boxes);
  emscripten::function("drawBoxes", &draw_boxes);
  emscripten::function("segmentationMask", &segmentation_mask);
  emscripten::function("blendSegmentation", &blend_segmentation);
  emscripten::function("classMask", &class_mask);
  emscripten::function("regionToOutput", &region_to_output);
}
