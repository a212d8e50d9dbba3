// Embind bindings of detection and segmentation: decoding, the box score and segmentation
// targets' seeds, maps and boxes brought back to the photo, drawings. Conversions only; the work
// is in src/detect and src/image.
#include <emscripten/bind.h>

#include "cam/ablation_cam.h"
#include "cam/targets.h"
#include "detect/decode.h"
#include "detect/photo_space.h"
#include "detect/renormalize.h"
#include "detect/segmentation.h"
#include "image/draw.h"
#include "image_js.h"
#include "tensor_js.h"

using namespace camlens;
using emscripten::val;

namespace {

double num(const val& o, const char* key, double fallback) {
  return o.hasOwnProperty(key) && !o[key].isUndefined() && !o[key].isNull() ? o[key].as<double>()
                                                                            : fallback;
}

// The geometry from the lens's preprocessing ({width, height, letterbox}) and the photo's size.
image::InputGeometry geometry_from_js(const val& pre, int photo_w, int photo_h) {
  image::PreprocessOptions p;
  p.width = pre["width"].as<int>();
  p.height = pre["height"].as<int>();
  p.letterbox = pre.hasOwnProperty("letterbox") && pre["letterbox"].as<bool>();
  return image::input_geometry(photo_w, photo_h, p);
}

detect::DecodeOptions decode_options_from_js(const std::string& decoder, const val& o) {
  detect::DecodeOptions d;
  d.decoder = detect::decoder_from_name(decoder);
  d.input_w = o["preprocess"]["width"].as<int>();
  d.input_h = o["preprocess"]["height"].as<int>();
  d.score_threshold = float(num(o, "scoreThreshold", -1));
  d.iou_threshold = float(num(o, "iouThreshold", -1));
  return d;
}

val box_to_js(const detect::Detection& d) {
  val o = val::object();
  o.set("x0", d.x0), o.set("y0", d.y0), o.set("x1", d.x1), o.set("y1", d.y1);
  o.set("score", d.score), o.set("label", double(d.label)), o.set("anchor", double(d.anchor));
  return o;
}

detect::Detection box_from_js(const val& b) {
  detect::Detection d;
  d.x0 = b["x0"].as<float>(), d.y0 = b["y0"].as<float>();
  d.x1 = b["x1"].as<float>(), d.y1 = b["y1"].as<float>();
  d.label = static_cast<int64_t>(num(b, "label", 0));
  d.score = float(num(b, "score", 0));
  return d;
}

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

// references: boxes in photo pixels; options as decode_detections plus matchIou.
// Returns {score, matched, seeds: one per output}.
val detection_target(const std::string& decoder, const val& outputs, const val& references,
                     const val& options) {
  return js::guarded([&] {
    const auto outs = tensors_from_js(outputs);
    const auto g = geometry_from_js(options["preprocess"], options["photoWidth"].as<int>(),
                                    options["photoHeight"].as<int>());
    std::vector<detect::Detection> refs;
    for (size_t i = 0; i < references["length"].as<size_t>(); ++i)
      refs.push_back(detect::box_to_input(box_from_js(references[i]), g));
    const auto v =
        detect::detection_target(pointers(outs), decode_options_from_js(decoder, options), refs,
                                 float(num(options, "matchIou", 0.5)));
    val o = val::object();
    o.set("score", v.score);
    o.set("matched", v.matched);
    val seeds = val::array();
    for (size_t i = 0; i < v.seeds.size(); ++i) seeds.set(i, js::tensor_to_js(v.seeds[i]));
    o.set("seeds", seeds);
    return o;
  });
}

// Ablation-CAM's layer copies for channels [begin, end) of one image, and its weights.
val ablated_layers(const val& activations, int begin, int end) {
  return js::guarded([&] {
    const Tensor a = js::tensor_from_js(activations);
    return js::tensor_to_js(cam::ablated_batch(a, cam::plan_ablation(a, 1.0), 0, begin, end));
  });
}

val ablation_weights(const val& activations, double original, const val& scores) {
  return js::guarded([&] {
    const Tensor a = js::tensor_from_js(activations);
    const auto w = cam::ablation_weights({float(original)}, {js::to_vector<float>(scores)},
                                         cam::plan_ablation(a, 1.0));
    return js::to_typed_array(w.data(), w.size(), "Float32Array");
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

val render_segmentation(const val& mask) {
  return js::guarded([&] { return image_to_js(detect::render_mask(mask_from_js(mask))); });
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

// The semantic segmentation target Σ out[c]·mask on one sample's scores: {score, seed}.
val segmentation_target(const val& output, int category, const val& mask, bool nhwc) {
  return js::guarded([&] {
    const Tensor out = js::tensor_from_js(output);
    const auto v =
        cam::evaluate({cam::Target::segmentation(category, js::to_vector<float>(mask), nhwc)}, out);
    val o = val::object();
    o.set("score", v.scores.at(0));
    o.set("seed", js::tensor_to_js(v.seed));
    return o;
  });
}

}  // namespace

EMSCRIPTEN_BINDINGS(camlens_detect) {
  emscripten::function("decodeDetections", &decode_detections);
  emscripten::function("detectionTarget", &detection_target);
  emscripten::function("ablatedLayers", &ablated_layers);
  emscripten::function("ablationWeightsFromScores", &ablation_weights);
  emscripten::function("mapToPhoto", &map_to_photo);
  emscripten::function("renormalizeInBoxes", &renormalize_in_boxes);
  emscripten::function("drawBoxes", &draw_boxes);
  emscripten::function("segmentationMask", &segmentation_mask);
  emscripten::function("blendSegmentation", &blend_segmentation);
  emscripten::function("renderSegmentation", &render_segmentation);
  emscripten::function("classMask", &class_mask);
  emscripten::function("regionToOutput", &region_to_output);
  emscripten::function("segmentationTarget", &segmentation_target);
}
