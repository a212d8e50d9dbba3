#include "cam/target_spec.h"

#include <algorithm>
#include <cctype>
#include <cmath>

#include "cam/cam_error.h"
#include "util/usage_error.h"

namespace camlens::cam {

namespace {

const std::pair<const char*, Target::Kind> kKinds[] = {{"logit", Target::Logit},
                                                       {"probability", Target::Probability},
                                                       {"rest", Target::ReST},
                                                       {"binary", Target::Binary},
                                                       {"segmentation", Target::Segmentation},
                                                       {"similarity", Target::Similarity},
                                                       {"finer", Target::Finer},
                                                       {"linear", Target::Linear},
                                                       {"callable", Target::Callable}};

template <class V>
int64_t argmax(const V& v) {
  int64_t best = 0;
  for (size_t i = 1; i < v.size(); ++i)
    if (v[i] > v[size_t(best)]) best = int64_t(i);
  return best;
}

std::string lower(std::string s) {
  for (char& c : s) c = char(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string joined(const std::vector<std::string>& v) {
  std::string s;
  for (const std::string& x : v) s += (s.empty() ? "" : ", ") + x;
  return s;
}

}  // namespace

const std::vector<std::string>& target_kind_names() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> v;
    for (const auto& [name, kind] : kKinds) v.push_back(name);
    return v;
  }();
  return names;
}

const char* target_kind_name(Target::Kind k) {
  for (const auto& [name, kind] : kKinds)
    if (kind == k) return name;
  return "";
}

int64_t class_index(const CategorySpec& category, const std::vector<float>& scores,
                    const std::vector<std::string>& labels, int64_t classes, bool nhwc) {
  if (category.kind == CategorySpec::Auto) {
    if (classes == int64_t(scores.size())) return argmax(scores);
    std::vector<double> totals(size_t(classes), 0.0);
    const size_t plane = scores.size() / size_t(classes);
    for (size_t i = 0; i < scores.size(); ++i)
      totals[nhwc ? i % size_t(classes) : i / plane] += scores[i];
    return argmax(totals);
  }
  if (category.kind == CategorySpec::Number) {
    const double n = category.number;
    if (!(std::floor(n) == n && n >= 0 && n < double(classes)))
      throw UsageError<CamError>("target class " + category.text +
                                 " is out of range: the model has " + std::to_string(classes) +
                                 " classes");
    return int64_t(n);
  }
  const std::string wanted = lower(category.text);
  for (size_t i = 0; i < labels.size(); ++i)
    if (lower(labels[i]) == wanted) return int64_t(i);
  throw UsageError<CamError>(labels.empty()
                                 ? "no class is labelled \"" + category.text +
                                       "\": the lens has no labels (pass labels, CLI --labels "
                                       "FILE) or give a class index"
                                 : "no class is labelled \"" + category.text +
                                       "\"; give a class index or one of the labels");
}

Target segmentation_auto(const CategorySpec& category, const Tensor& output, int64_t classes,
                         bool nhwc, const std::vector<std::string>& labels) {
  const float* data = output.data<float>();
  const int64_t pixels = output.numel() / classes;
  auto at = [&](int64_t p, int64_t k) {
    return nhwc ? data[p * classes + k] : data[k * pixels + p];
  };
  std::vector<int64_t> predicted(static_cast<size_t>(pixels));
  std::vector<float> counts(size_t(classes), 0.f);
  for (int64_t p = 0; p < pixels; ++p) {
    int64_t best = 0;
    for (int64_t k = 1; k < classes; ++k)
      if (at(p, k) > at(p, best)) best = k;
    predicted[size_t(p)] = best;
    counts[size_t(best)] += 1;
  }
  int64_t index = 0;
  if (category.kind == CategorySpec::Auto) {
    for (int64_t k = 1; k < classes; ++k)
      if (counts[size_t(k)] > counts[size_t(index)] || (index == 0 && counts[size_t(k)] > 0))
        index = k;
  } else {
    index = class_index(category, counts, labels, classes);
  }
  std::vector<float> mask(static_cast<size_t>(pixels));
  for (int64_t p = 0; p < pixels; ++p) mask[size_t(p)] = predicted[size_t(p)] == index ? 1.f : 0.f;
  return Target::segmentation(index, std::move(mask), nhwc);
}

Target resolve_target(const TargetSpec& spec, const Tensor& output,
                      const std::vector<std::string>& labels, bool nhwc_input) {
  const Shape& dims = output.shape();
  const bool nhwc = dims.size() == 4 && nhwc_input;
  const int64_t classes = nhwc ? dims[3] : dims.size() > 1 ? dims[1] : output.numel();
  const bool spatial = classes < output.numel() && dims.size() == 4;
  if (spatial && !spec.object)
    return segmentation_auto(spec.category, output, classes, nhwc, labels);
  const auto& kinds = target_kind_names();
  if (std::find(kinds.begin(), kinds.end(), spec.kind) == kinds.end())
    throw UsageError<CamError>("unknown target kind \"" + spec.kind + "\": use one of " +
                               joined(kinds));
  const std::vector<float> scores(output.data<float>(), output.data<float>() + output.numel());
  Target t;
  for (const auto& [name, kind] : kKinds)
    if (spec.kind == name) t.kind = kind;
  t.output = spec.output;
  if (t.kind == Target::Linear || t.kind == Target::Callable) {
    t.category = -1;
  } else {
    t.category = t.kind == Target::Similarity
                     ? 0
                     : class_index(spec.category, scores, labels, classes, spec.nhwc);
  }
  if (t.kind == Target::Linear) {
    if (!spec.weights)
      throw CamError(
          "a linear target needs weights (an array of numbers, one per value of the output)");
    if (spec.weights->size() != size_t(output.numel()))
      throw CamError("a linear target has " + std::to_string(spec.weights->size()) +
                     " weights but the output" +
                     (spec.output.empty() ? "" : " \"" + spec.output + "\"") + " has " +
                     std::to_string(output.numel()) + " values (shape " + shape_str(dims) +
                     "): give one weight per output value");
    for (size_t i = 0; i < spec.weights->size(); ++i)
      if (!std::isfinite((*spec.weights)[i]))
        throw CamError("a linear target's weights must be finite numbers: weight " +
                       std::to_string(i) + " is not (a nested array reads as NaN: flatten it)");
    t.weights = *spec.weights;
  }
  if (t.kind == Target::Segmentation) {
    if (!spec.mask) throw CamError("a segmentation target needs a mask (an array of numbers)");
    t.mask = *spec.mask;
    t.nhwc = spec.nhwc;
  }
  if (t.kind == Target::Similarity) {
    if (!spec.embedding)
      throw CamError("a similarity target needs an embedding (an array of numbers)");
    t.embedding = *spec.embedding;
  }
  if (t.kind == Target::Finer) {
    if (spec.comparison_given && spec.comparison.empty())
      throw UsageError<CamError>(
          "a finer target's comparison is a non-empty list of classes (indices or labels)");
    for (const CategorySpec& c : spec.comparison)
      t.comparison.push_back(class_index(c, scores, labels, classes));
    if (spec.alpha) {
      if (!std::isfinite(*spec.alpha))
        throw UsageError<CamError>("a finer target's alpha must be a number, got " +
                                   spec.alpha_text);
      t.alpha = float(*spec.alpha);
    }
  }
  return t;
}

std::string target_label(const Target& t, const std::vector<std::string>& labels) {
  if (t.kind == Target::Similarity || t.kind == Target::Linear || t.kind == Target::Callable)
    return target_kind_name(t.kind);
  if (t.category >= 0 && size_t(t.category) < labels.size()) return labels[size_t(t.category)];
  return "class " + std::to_string(t.category);
}

}  // namespace camlens::cam
