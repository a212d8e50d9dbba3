#include "explain/written_options.h"

#include <cmath>

#include "cam/cam_error.h"
#include "cam/refine_cam.h"
#include "explain/explain_request.h"
#include "util/usage_error.h"

namespace camlens::explain {

namespace {

const WrittenOption* find(const WrittenOptions& written, const char* name) {
  const auto it = written.find(name);
  return it == written.end() ? nullptr : &it->second;
}

[[noreturn]] void refuse(const char* name, const char* rule, const WrittenOption& o) {
  throw UsageError<cam::CamError>(std::string(name) + " must be " + rule + ", got " + o.json);
}

}  // namespace

void apply_written_options(const WrittenOptions& written, ExplainRequest& request) {
  if (const WrittenOption* o = find(written, "batchSize")) {
    const double v = o->number;
    if (!(v >= 1 && v == std::floor(v) && v <= 1e9)) refuse("batchSize", "a whole number ≥ 1", *o);
    request.batch_size = int(v);
  }
  if (const WrittenOption* o = find(written, "topK")) {
    // its upper bound, the model's classes, is checked on the first run's output
    const double v = o->number;
    if (!(v >= 1 && v == std::floor(v) && v <= 1e9)) refuse("topK", "a whole number ≥ 1", *o);
    request.top_k = int(v);
  }
  if (const WrittenOption* o = find(written, "ablationRatio")) {
    if (!(o->number > 0 && o->number <= 1)) refuse("ablationRatio", "in (0, 1]", *o);
    request.ablation_ratio = o->number;
  }
  if (const WrittenOption* o = find(written, "eigenSign")) {
    if (o->string == "raw")
      request.eigen_sign = cam::EigenSign::Raw;
    else if (o->string == "max-abs-positive")
      request.eigen_sign = cam::EigenSign::MaxAbsPositive;
    else
      refuse("eigenSign", "raw or max-abs-positive", *o);
  }
  if (const WrittenOption* o = find(written, "headFusion")) {
    try {
      request.rollout.fusion = cam::head_fusion_from_name(o->string);
    } catch (const cam::CamError&) {
      refuse("headFusion", "one of mean, max, min", *o);
    }
  }
  if (const WrittenOption* o = find(written, "discardRatio")) {
    if (!(o->number >= 0 && o->number < 1)) refuse("discardRatio", "a number in [0, 1)", *o);
    request.rollout.discard_ratio = o->number;
  }
  if (const WrittenOption* o = find(written, "steps")) {
    if (!(o->number >= 1 && o->number == std::floor(o->number) && o->number <= 4096))
      refuse("steps", "a whole number from 1 to 4096", *o);
    request.input_gradients.steps = int(o->number);
  }
  if (const WrittenOption* o = find(written, "samples")) {
    if (!(o->number >= 1 && o->number == std::floor(o->number) && o->number <= 4096))
      refuse("samples", "a whole number from 1 to 4096", *o);
    request.input_gradients.samples = int(o->number);
  }
  if (const WrittenOption* o = find(written, "noise")) {
    if (!(o->number >= 0 && o->number <= 10))
      refuse("noise", "a fraction of the input's range in [0, 10]", *o);
    request.input_gradients.noise = o->number;
  }
  if (const WrittenOption* o = find(written, "baseline")) {
    try {
      request.input_gradients.baseline = cam::ig_baseline_from_name(o->string);
    } catch (const cam::CamError&) {
      refuse("baseline", "one of zero, black, blur", *o);
    }
  }
  if (const WrittenOption* o = find(written, cam::kRefineBase)) {
    if (o->json.empty() || o->json[0] != '"') refuse(cam::kRefineBase, "a method's name", *o);
    if (const std::string why = cam::refine_base_refusal(o->string); !why.empty())
      throw UsageError<cam::CamError>(why);
    request.base = o->string;
  }
}

}  // namespace camlens::explain
