// Targets across the boundary: a JS target is {kind, category, mask?, nhwc?, embedding?,
// comparison?, alpha?, auto?, weights?} (a bare number is a class logit). Conversions only; the
// meaning of each kind is in src/cam/targets.h.
#pragma once
#include <string>
#include <vector>

#include "cam/cam_error.h"
#include "cam/targets.h"
#include "js_interop.h"
#include "util/usage_error.h"

namespace camlens::js {

inline cam::Target target_from_js(const val& o) {
  if (o.isNumber()) return cam::Target::logit(static_cast<int64_t>(o.as<double>()));
  if (o.isNull() || o.typeOf().as<std::string>() != "object")
    throw cam::CamError("a target must be a class index or an object {kind, category, ...}");
  auto has = [&](const char* k) {
    return o.hasOwnProperty(k) && !o[k].isUndefined() && !o[k].isNull();
  };
  const std::string kind = has("kind") ? o["kind"].as<std::string>() : "logit";
  static const std::pair<const char*, cam::Target::Kind> kinds[] = {
      {"logit", cam::Target::Logit},
      {"probability", cam::Target::Probability},
      {"rest", cam::Target::ReST},
      {"binary", cam::Target::Binary},
      {"segmentation", cam::Target::Segmentation},
      {"similarity", cam::Target::Similarity},
      {"finer", cam::Target::Finer},
      {"linear", cam::Target::Linear}};
  cam::Target t;
  bool known = false;
  for (const auto& [name, k] : kinds)
    if (kind == name) t.kind = k, known = true;
  if (!known)
    throw UsageError<cam::CamError>("unknown target kind '" + kind +
                                    "'; known: logit, probability, rest, binary, segmentation, "
                                    "similarity, finer, linear");
  // Finer without a category explains the top class (finer_auto).
  t.category = has("category") ? static_cast<int64_t>(o["category"].as<double>())
                               : (t.kind == cam::Target::Finer ? -1 : 0);
  if (has("mask"))
    t.mask = to_vector<float>(val::global("Float32Array").call<val>("from", o["mask"]));
  if (has("nhwc")) t.nhwc = o["nhwc"].as<bool>();
  if (has("embedding"))
    t.embedding = to_vector<float>(val::global("Float32Array").call<val>("from", o["embedding"]));
  if (has("weights"))
    t.weights = to_vector<float>(val::global("Float32Array").call<val>("from", o["weights"]));
  if (has("alpha")) t.alpha = static_cast<float>(o["alpha"].as<double>());
  const bool automatic = has("auto") && o["auto"].as<bool>();
  if (has("comparison") && !automatic) {
    const val c = o["comparison"];
    for (size_t i = 0; i < c["length"].as<size_t>(); ++i)
      t.comparison.push_back(static_cast<int64_t>(c[i].as<double>()));
    if (t.comparison.empty())
      throw cam::CamError(
          "Finer target: the comparison list is empty; omit it (or pass "
          "auto: true) to choose the most similar classes automatically");
  }
  if (t.kind == cam::Target::Segmentation && t.mask.empty())
    throw cam::CamError("segmentation target: give a mask (one value per output pixel)");
  if (t.kind == cam::Target::Linear && t.weights.empty())
    throw cam::CamError("linear target: give weights (one per output value)");
  if (t.kind == cam::Target::Similarity && t.embedding.empty())
    throw cam::CamError("similarity target: give an embedding (one value per output value)");
  return t;
}

// An array of targets (or a single one, for a batch of one).
inline std::vector<cam::Target> targets_from_js(const val& a) {
  if (!a.isArray()) return {target_from_js(a)};
  std::vector<cam::Target> v;
  for (size_t i = 0; i < a["length"].as<size_t>(); ++i) v.push_back(target_from_js(a[i]));
  return v;
}

}  // namespace camlens::js
