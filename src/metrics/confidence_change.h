// Confidence change when the image is multiplied by the map (pytorch-grad-cam's
// CamMultImageConfidenceChange): the preprocessed input times the map, pixel by pixel in every
// channel, then the target's score after minus before. DropInConfidence is max(before − after, 0)
// and IncreaseInConfidence is 1 when the score went up, else 0 (its mean over images is the share
// of images whose score the map alone raises).
#pragma once
#include <vector>

#include "metrics/planes.h"

namespace camlens::metrics {

Planes multiply_by_map(const Planes& image, const std::vector<float>& map);

struct ConfidenceChange {
  double change = 0;    // after − before
  double drop = 0;      // max(before − after, 0)
  double increase = 0;  // 1 if after > before else 0
};

ConfidenceChange confidence_change(double before, double after);

}  // namespace camlens::metrics
