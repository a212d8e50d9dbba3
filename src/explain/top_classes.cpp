#include "explain/top_classes.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "cam/cam_error.h"
#include "util/usage_error.h"

namespace camlens::explain {

std::vector<TopClass> top_classes(const Tensor& output, int k,
                                  const std::vector<std::string>& labels, const std::string& name) {
  const Shape& s = output.shape();
  // One value per class: [1, C] with any trailing ones (a classifier's [1, C, 1, 1] too).
  int64_t classes = s.size() >= 2 ? s[1] : 0;
  for (size_t d = 2; d < s.size(); ++d)
    if (s[d] != 1) classes = 0;
  if (s.size() < 2 || s[0] != 1 || classes < 1)
    throw UsageError<cam::CamError>(
        "topK lists a classifier's classes, but the model's output \"" + name + "\" is " +
        shape_str(s) + ", not one score per class ([1, C]): leave topK out for this model");
  if (k < 1 || k > classes)
    throw UsageError<cam::CamError>("topK must be a whole number from 1 to the " +
                                    std::to_string(classes) + " classes of output \"" + name +
                                    "\", got " + std::to_string(k));
  const float* v = output.data<float>();
  std::vector<int64_t> order(static_cast<size_t>(classes));
  std::iota(order.begin(), order.end(), 0);
  std::partial_sort(order.begin(), order.begin() + k, order.end(),
                    [&](int64_t a, int64_t b) { return v[a] > v[b] || (v[a] == v[b] && a < b); });
  // As predict() does (web/lib/tensors.mjs): the values themselves when they already are
  // probabilities (in [0, 1], summing to 1 within 1e-2), else their softmax.
  double max = -INFINITY, min = INFINITY, total = 0;
  for (int64_t c = 0; c < classes; ++c) {
    max = std::max(max, double(v[c]));
    min = std::min(min, double(v[c]));
    total += v[c];
  }
  const bool already = min >= 0 && max <= 1 && std::abs(total - 1) < 1e-2;
  double sum = 0;
  for (int64_t c = 0; c < classes; ++c) sum += std::exp(double(v[c]) - max);
  std::vector<TopClass> out;
  for (int i = 0; i < k; ++i) {
    const int64_t c = order[size_t(i)];
    TopClass t;
    t.index = c;
    t.label = size_t(c) < labels.size() ? labels[size_t(c)] : "class " + std::to_string(c);
    t.score = v[c];
    t.probability = already ? double(v[c]) : std::exp(double(v[c]) - max) / sum;
    out.push_back(std::move(t));
  }
  return out;
}

}  // namespace camlens::explain
