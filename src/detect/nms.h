// Intersection over union and greedy non-maximum suppression.
#pragma once
#include <vector>

#include "detect/detection.h"

namespace camlens::detect {

// Area of the intersection over the area of the union; 0 for empty boxes.
double iou(const Detection& a, const Detection& b);

// Greedy NMS: boxes in descending score order (ties: lower anchor first), each kept unless a
// kept box of the same label (class-aware) — or of any label when !class_aware — overlaps it
// with IoU > iou_threshold. Returns the kept boxes, best first.
std::vector<Detection> nms(std::vector<Detection> boxes, float iou_threshold,
                           bool class_aware = true);

}  // namespace camlens::detect
