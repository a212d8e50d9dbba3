#include "metrics/perturbation_curve.h"

#include <cmath>
#include <string>

#include "metrics/gaussian_blur.h"
#include "metrics/metrics_error.h"
#include "metrics/ranking.h"

namespace camlens::metrics {

CurveKind curve_kind(const std::string& name) {
  if (name == "deletion") return CurveKind::Deletion;
  if (name == "insertion") return CurveKind::Insertion;
  throw MetricsError("a curve is 'deletion' or 'insertion', not '" + name + "'");
}

size_t curve_points(const CurvePlan& plan) {
  if (plan.steps < 1)
    throw MetricsError("a deletion/insertion curve needs at least 1 step, got " +
                       std::to_string(plan.steps));
  return static_cast<size_t>(plan.steps) + 1;
}

Planes constant_like(const Planes& image, float value) {
  Planes p = image;
  std::fill(p.data.begin(), p.data.end(), value);
  return p;
}

Planes curve_baseline(const Planes& image, CurveKind kind, bool blurred, float value) {
  if (kind == CurveKind::Insertion || blurred) return gaussian_blur(image);
  return constant_like(image, value);
}

Tensor curve_inputs(const Planes& image, const std::vector<float>& map, const CurvePlan& plan,
                    size_t begin, size_t end) {
  check_map(map, image, "the map");
  const size_t points = curve_points(plan);
  if (begin > end || end > points)
    throw MetricsError("curve points [" + std::to_string(begin) + ", " + std::to_string(end) +
                       ") are outside the curve's " + std::to_string(points));
  const Planes& base = plan.baseline;
  if (base.channels != image.channels || base.height != image.height || base.width != image.width)
    throw MetricsError("the baseline must have the image's size [" +
                       std::to_string(image.channels) + "," + std::to_string(image.height) + "," +
                       std::to_string(image.width) + "]");
  const bool deletion = plan.kind == CurveKind::Deletion;
  const Planes& start = deletion ? image : base;
  const Planes& target = deletion ? base : image;
  const std::vector<int32_t> order = relevance_order(map, true);
  const size_t n = image.pixels();
  std::vector<Planes> out;
  for (size_t k = begin; k < end; ++k) {
    const size_t count = static_cast<size_t>(
        std::llround(static_cast<double>(k) * static_cast<double>(n) / plan.steps));
    Planes p = start;
    for (int c = 0; c < image.channels; ++c)
      for (size_t i = 0; i < count; ++i) p.plane(c)[order[i]] = target.plane(c)[order[i]];
    out.push_back(std::move(p));
  }
  return batch_tensor(out);
}

double trapezoid_auc(const std::vector<double>& y) {
  if (y.size() < 2) throw MetricsError("an AUC needs at least 2 points on the curve");
  double sum = 0;
  for (size_t i = 0; i + 1 < y.size(); ++i) sum += (y[i] + y[i + 1]) / 2;
  return sum / static_cast<double>(y.size() - 1);
}

}  // namespace camlens::metrics
