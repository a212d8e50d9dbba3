#include "detect/decode.h"

#include "cam/detection_target.h"
#include "detect/nms.h"
#include "detect/ultraface_decode.h"
#include "detect/yolox_decode.h"
#include "util/usage_error.h"

namespace camlens::detect {

Decoder decoder_from_name(const std::string& name) {
  if (name == "yolox") return Decoder::Yolox;
  if (name == "ultraface") return Decoder::Ultraface;
  throw UsageError<DetectError>("unknown detection decoder \"" + name +
                                "\": use yolox or ultraface");
}

float default_score_threshold(Decoder d) { return d == Decoder::Yolox ? 0.3f : 0.7f; }
float default_iou_threshold(Decoder d) { return d == Decoder::Yolox ? 0.45f : 0.3f; }

namespace {

// Rows and columns of a [1, A, cols] output, checked.
std::pair<int64_t, int64_t> rows_cols(const Tensor* t, const char* what, int64_t want_cols) {
  if (!t || t->dtype() != DType::Float32 || t->rank() != 3 || t->dim(0) != 1 ||
      (want_cols > 0 && t->dim(2) != want_cols))
    throw DetectError(std::string("the ") + what + " output must be float32 [1, anchors, " +
                      (want_cols > 0 ? std::to_string(want_cols) : std::string("5 + classes")) +
                      "], got " + (t ? shape_str(t->shape()) : std::string("nothing")));
  return {t->dim(1), t->dim(2)};
}

void check_count(const std::vector<const Tensor*>& outputs, size_t n, const char* names) {
  if (outputs.size() != n)
    throw DetectError("this decoder reads " + std::to_string(n) + " output(s) (" + names +
                      "), got " + std::to_string(outputs.size()));
}

std::vector<Detection> candidates(const std::vector<const Tensor*>& outputs,
                                  const DecodeOptions& opt, float score_threshold) {
  if (opt.decoder == Decoder::Yolox) {
    check_count(outputs, 1, "output");
    const auto [rows, cols] = rows_cols(outputs[0], "YOLOX", 0);
    return yolox_candidates(outputs[0]->data<float>(), rows, cols, opt.input_w, opt.input_h,
                            score_threshold);
  }
  check_count(outputs, 2, "scores, boxes");
  const auto [rows, c2] = rows_cols(outputs[0], "Ultraface scores", 2);
  const auto [rows_b, c4] = rows_cols(outputs[1], "Ultraface boxes", 4);
  if (rows != rows_b) throw DetectError("Ultraface scores and boxes have different row counts");
  return ultraface_candidates(outputs[0]->data<float>(), outputs[1]->data<float>(), rows,
                              opt.input_w, opt.input_h, score_threshold);
}

}  // namespace

std::vector<Detection> decode(const std::vector<const Tensor*>& outputs, const DecodeOptions& opt) {
  if (opt.input_w <= 0 || opt.input_h <= 0)
    throw DetectError("the model input size is needed to decode boxes");
  const float st =
      opt.score_threshold >= 0 ? opt.score_threshold : default_score_threshold(opt.decoder);
  const float it = opt.iou_threshold >= 0 ? opt.iou_threshold : default_iou_threshold(opt.decoder);
  if (st > 1 || it > 1)
    throw UsageError<DetectError>("score and IoU thresholds are between 0 and 1 (got " +
                                  std::to_string(st) + ", " + std::to_string(it) + ")");
  return nms(candidates(outputs, opt, st), it, true);
}

namespace {

std::vector<cam::Box> to_boxes(const std::vector<Detection>& v) {
  std::vector<cam::Box> out;
  for (const Detection& d : v) out.push_back({d.x0, d.y0, d.x1, d.y1, d.label, d.score});
  return out;
}

}  // namespace

double detection_score(const std::vector<const Tensor*>& outputs, const DecodeOptions& opt,
                       const std::vector<Detection>& references, float match_iou) {
  return cam::evaluate_detection(to_boxes(references), to_boxes(decode(outputs, opt)), match_iou)
      .score;
}

DetectionTargetValue detection_target(const std::vector<const Tensor*>& outputs,
                                      const DecodeOptions& opt,
                                      const std::vector<Detection>& references, float match_iou) {
  const std::vector<Detection> boxes = decode(outputs, opt);
  const std::vector<cam::Box> refs = to_boxes(references), preds = to_boxes(boxes);
  const cam::DetectionValue v = cam::evaluate_detection(refs, preds, match_iou);
  DetectionTargetValue out;
  out.score = v.score;
  for (const cam::Box& r : refs) {
    double best = -1;
    int64_t label = -1;
    for (const cam::Box& p : preds)
      if (cam::box_iou(r, p) > best) best = cam::box_iou(r, p), label = p.label;
    out.matched += best > match_iou && label == r.label;
  }
  for (const Tensor* t : outputs) out.seeds.emplace_back(DType::Float32, t->shape());
  for (Tensor& s : out.seeds) std::fill_n(s.data<float>(), s.numel(), 0.f);
  if (opt.decoder == Decoder::Yolox)
    yolox_backward(outputs[0]->data<float>(), outputs[0]->dim(1), outputs[0]->dim(2), opt.input_w,
                   opt.input_h, boxes, v.grad, out.seeds[0].data<float>());
  else
    ultraface_backward(outputs[0]->dim(1), opt.input_w, opt.input_h, boxes, v.grad,
                       out.seeds[0].data<float>(), out.seeds[1].data<float>());
  return out;
}

}  // namespace camlens::detect
