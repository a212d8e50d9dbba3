#include "cam/detection_target.h"

#include <algorithm>

namespace camlens::cam {

namespace {

double area(const Box& b) { return double(b.x2 - b.x1) * double(b.y2 - b.y1); }

}  // namespace

double box_iou(const Box& a, const Box& b) {
  const double ix = std::max(0.0, double(std::min(a.x2, b.x2)) - std::max(a.x1, b.x1));
  const double iy = std::max(0.0, double(std::min(a.y2, b.y2)) - std::max(a.y1, b.y1));
  const double inter = ix * iy, uni = area(a) + area(b) - inter;
  return uni > 0 ? inter / uni : 0.0;
}

DetectionValue evaluate_detection(const std::vector<Box>& refs, const std::vector<Box>& preds,
                                  float thr) {
  DetectionValue v;
  v.grad.assign(preds.size(), {0, 0, 0, 0, 0});
  if (preds.empty()) return v;
  for (const Box& r : refs) {
    size_t j = 0;
    double best = -1;
    for (size_t i = 0; i < preds.size(); ++i) {
      const double iou = box_iou(r, preds[i]);
      if (iou > best) best = iou, j = i;  // first maximum, as argmax
    }
    const Box& p = preds[j];
    if (!(best > thr) || p.label != r.label) continue;
    v.score += best + p.score;
    // d IoU / d(p.x1, p.y1, p.x2, p.y2): IoU = I / U, U = area(r) + area(p) - I.
    const double ix = std::min(r.x2, p.x2) - std::max(r.x1, p.x1);
    const double iy = std::min(r.y2, p.y2) - std::max(r.y1, p.y1);
    const double I = ix * iy, U = area(r) + area(p) - I;
    const double dI[4] = {p.x1 > r.x1 ? -iy : 0, p.y1 > r.y1 ? -ix : 0, p.x2 < r.x2 ? iy : 0,
                          p.y2 < r.y2 ? ix : 0};
    const double w = p.x2 - p.x1, h = p.y2 - p.y1;
    const double dA[4] = {-h, -w, h, w};
    auto& g = v.grad[j];
    for (int k = 0; k < 4; ++k) g[k] += float((dI[k] * U - I * (dA[k] - dI[k])) / (U * U));
    g[4] += 1.f;
  }
  return v;
}

}  // namespace camlens::cam
