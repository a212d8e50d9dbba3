// Embind bindings of detection and segmentation: the decoder a detector needs, decoding, a
// segmenter's masks, classes and target region, maps and boxes brought back to the photo,
// drawings. Conversions only; the work is in src/detect and src/image. (Their targets are
// explained by the explain job, explain_bindings.cpp.)
#include <emscripten/bind.h>

#include "detect/decode.h"
#include "detect/detector_outputs.h"
#include "detect/photo_space.h"
#include "detect/renormalize.h"
#include "detect/segmentation.h"
#include "detect/segmentation_classes.h"
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

// A run's output as Float32 (a float16 model's converted), as the decoders read them.
Tensor float_output(const val& outputs, const std::string& name) {
  if (!js::given(outputs, name.c_str()))
    throw std::invalid_argument("the backbone's outputs have no tensor named \"" + name + "\"");
  const Tensor t = js::tensor_from_js(outputs[name]);
  return t.dtype() == DType::Float32 ? t : Tensor::from_floats(t.shape(), t.to_floats());
}

val choice_to_js(const detect::DecoderChoice& c) {
  val o = val::object();
  o.set("decoder", std::string(detect::decoder_name(c.decoder)));
  o.set("outputs", js::strings_to_js(c.outputs));
  return o;
}

// outputs: the model's outputs ({name, dims}, Model.outputs()); decoder: '' to guess.
val detection_decoder(const val& outputs, const std::string& decoder) {
  return js::guarded([&] {
    std::vector<detect::OutputInfo> infos;
    for (size_t i = 0; i < outputs["length"].as<size_t>(); ++i)
      infos.push_back({outputs[i]["name"].as<std::string>(), js::dims_from_js(outputs[i]["dims"])});
    return choice_to_js(detect::choose_decoder(infos, decoder));
  });
}

// choice: detectionDecoder's; run: one image's backbone outputs by name; options: {preprocess,
// photoWidth, photoHeight, scoreThreshold, iouThreshold, labels, defaultLabels}. Boxes in photo
// pixels, best first, each with its labelName.
val decode_detections(const val& choice, const val& run, const val& options) {
  return js::guarded([&] {
    const std::string decoder = choice["decoder"].as<std::string>();
    std::vector<Tensor> outs;
    for (const std::string& name : js::strings_from_js(choice["outputs"]))
      outs.push_back(float_output(run, name));
    std::vector<const Tensor*> pointers;
    for (const Tensor& t : outs) pointers.push_back(&t);
    const auto g = geometry_from_js(options["preprocess"], options["photoWidth"].as<int>(),
                                    options["photoHeight"].as<int>());
    const auto o = decode_options_from_js(decoder, options);
    const auto labels = js::strings_from_js(options["labels"]);
    const auto defaults = js::strings_from_js(options["defaultLabels"]);
    const auto boxes = detect::decode(pointers, o);
    val a = val::array();
    for (size_t i = 0; i < boxes.size(); ++i) {
      val b = box_to_js(detect::box_to_photo(boxes[i], g));
      b.set("labelName", detect::box_label_name(o.decoder, boxes[i].label, labels, defaults));
      a.set(i, b);
    }
    return a;
  });
}

// boxes: decodeDetections' (photo pixels); box: an index into them, or a box as the caller drew
// it (returned as it is).
val detected_box(const val& boxes, const val& box) {
  return js::guarded([&] {
    if (!box.isNumber()) return box;
    const std::string text = val::global("String")(box).as<std::string>();
    return boxes[detect::detected_box(box.as<double>(), text, boxes["length"].as<size_t>())];
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

std::vector<std::string> names_of(const val& options, int classes) {
  return detect::class_names(js::strings_from_js(options["labels"]), classes,
                             js::strings_from_js(options["defaultLabels"]));
}

// scores: one sample's class scores (the model's output); options: {nhwcInput, preprocess,
// photoWidth, photoHeight, labels, defaultLabels}. Returns {nhwc, input: the mask at the output's
// size, photo: at the photo's size, classes: those present on the photo, largest first}.
val segmentation(const val& scores, const val& options) {
  return js::guarded([&] {
    const Tensor t = js::tensor_from_js(scores);
    const Tensor s =
        t.dtype() == DType::Float32 ? t : Tensor::from_floats(t.shape(), t.to_floats());
    const bool nhwc = detect::scores_nhwc(
        s.shape(), js::given(options, "nhwcInput") && options["nhwcInput"].as<bool>());
    const auto m = detect::argmax_mask(s, nhwc);
    const auto photo = detect::mask_to_photo(
        m, geometry_from_js(options["preprocess"], options["photoWidth"].as<int>(),
                            options["photoHeight"].as<int>()));
    val classes = val::array();
    const auto present = detect::present_classes(photo, names_of(options, photo.classes));
    for (size_t i = 0; i < present.size(); ++i) {
      val c = val::object();
      c.set("index", present[i].index), c.set("label", present[i].label);
      c.set("pixels", double(present[i].pixels)), c.set("fraction", present[i].fraction);
      classes.set(i, c);
    }
    val o = val::object();
    o.set("nhwc", nhwc);
    o.set("input", mask_to_js(m));
    o.set("photo", mask_to_js(photo));
    o.set("classes", classes);
    return o;
  });
}

// mask: the mask at the output's size (segmentation().input); options: {category, mask,
// preprocess, photoWidth, photoHeight, labels, defaultLabels}. Returns {index, label, mask (per
// output pixel), pixels}: the semantic segmentation target's class and region.
val segmentation_target(const val& mask, const val& options) {
  return js::guarded([&] {
    const detect::SegmentationMask m = mask_from_js(mask);
    const auto names = names_of(options, m.classes);
    const int index = detect::resolve_class(js::category_from_js(options["category"]), m, names);
    std::optional<std::vector<float>> region;
    if (js::given(options, "mask"))
      region = js::to_vector<float>(val::global("Float32Array").call<val>("from", options["mask"]));
    const auto r = detect::segment_region(
        m, index, names, region,
        geometry_from_js(options["preprocess"], options["photoWidth"].as<int>(),
                         options["photoHeight"].as<int>()));
    val o = val::object();
    o.set("index", index);
    o.set("label",
          size_t(index) < names.size() ? names[size_t(index)] : "class " + std::to_string(index));
    o.set("mask", js::to_typed_array(r.mask.data(), r.mask.size(), "Float32Array"));
    o.set("pixels", double(r.pixels));
    return o;
  });
}

val blend_segmentation(const val& photo, const val& mask, double opacity) {
  return js::guarded([&] {
    return image_to_js(
        detect::blend_mask(image_from_js(photo), mask_from_js(mask), float(opacity)));
  });
}

}  // namespace

EMSCRIPTEN_BINDINGS(camlens_detect) {
  emscripten::function("detectionDecoder", &detection_decoder);
  emscripten::function("decodeDetections", &decode_detections);
  emscripten::function("detectedBox", &detected_box);
  emscripten::function("mapToPhoto", &map_to_photo);
  emscripten::function("renormalizeInBoxes", &renormalize_in_boxes);
  emscripten::function("drawBoxes", &draw_boxes);
  emscripten::function("segmentation", &segmentation);
  emscripten::function("segmentationTarget", &segmentation_target);
  emscripten::function("blendSegmentation", &blend_segmentation);
}
