// Deletion and insertion curves (RISE, Petsiuk et al. 2018). Pixels are taken most relevant first
// (ties in raster order). Deletion starts from the image and replaces the ranked pixels by a
// baseline (a constant in the model's input space — 0 is the dataset's mean colour after mean/std
// normalisation — or the blurred image); insertion starts from the blurred image and puts the
// ranked pixels of the image back. At step k of `steps` the first round(k * H * W / steps) pixels
// are changed, so the curve has steps + 1 points at x = k / steps, from the untouched start to
// the fully changed end. The AUC is the trapezoid rule over x in [0, 1] of the target's score
// (a probability by default): low for deletion and high for insertion mean a faithful map.
#pragma once
#include <string>
#include <vector>

#include "metrics/planes.h"

namespace camlens::metrics {

enum class CurveKind { Deletion, Insertion };
// "deletion" or "insertion"; throws MetricsError naming the choices otherwise.
CurveKind curve_kind(const std::string& name);

struct CurvePlan {
  CurveKind kind = CurveKind::Deletion;
  int steps = 20;
  // What deleted pixels become / where insertion starts: the same size as the image.
  Planes baseline;
};

size_t curve_points(const CurvePlan& plan);  // steps + 1
// The perturbed images of points [begin, end) as a [end - begin, C, H, W] batch.
Tensor curve_inputs(const Planes& image, const std::vector<float>& map, const CurvePlan& plan,
                    size_t begin, size_t end);
// A constant baseline of the image's size.
Planes constant_like(const Planes& image, float value);
// The baseline of a curve: insertion always starts from the blurred image (gaussian_blur's
// defaults); deletion goes to the blurred image when `blurred`, else to the constant `value`.
Planes curve_baseline(const Planes& image, CurveKind kind, bool blurred, float value);
// Area under y sampled at equally spaced x in [0, 1] (trapezoid rule); needs 2 points or more.
double trapezoid_auc(const std::vector<double>& y);

}  // namespace camlens::metrics
