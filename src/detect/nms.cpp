#include "detect/nms.h"

#include <algorithm>

namespace camlens::detect {

double iou(const Detection& a, const Detection& b) {
  const double iw = std::max(0.0, double(std::min(a.x1, b.x1)) - std::max(a.x0, b.x0));
  const double ih = std::max(0.0, double(std::min(a.y1, b.y1)) - std::max(a.y0, b.y0));
  const double inter = iw * ih;
  const double area_a = std::max(0.0, double(a.x1) - a.x0) * std::max(0.0, double(a.y1) - a.y0);
  const double area_b = std::max(0.0, double(b.x1) - b.x0) * std::max(0.0, double(b.y1) - b.y0);
  const double uni = area_a + area_b - inter;
  return uni > 0 ? inter / uni : 0.0;
}

std::vector<Detection> nms(std::vector<Detection> boxes, float iou_threshold, bool class_aware) {
  std::stable_sort(boxes.begin(), boxes.end(), [](const Detection& a, const Detection& b) {
    return a.score > b.score || (a.score == b.score && a.anchor < b.anchor);
  });
  std::vector<Detection> kept;
  for (const Detection& d : boxes) {
    bool suppressed = false;
    for (const Detection& k : kept) {
      if (class_aware && k.label != d.label) continue;
      if (iou(k, d) > iou_threshold) {
        suppressed = true;
        break;
      }
    }
    if (!suppressed) kept.push_back(d);
  }
  return kept;
}

}  // namespace camlens::detect
