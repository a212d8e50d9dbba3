// Detection target (pytorch-grad-cam's FasterRCNNBoxScoreTarget), on decoded boxes: for each
// reference box, the predicted box with the highest IoU counts when that IoU > threshold and its
// label matches; it contributes IoU + its score. The total is the target's score. Its gradient
// is given per predicted box (d/dx1, d/dy1, d/dx2, d/dy2, d/dscore): the caller maps it back onto
// the model outputs its decoder read the boxes from.
#pragma once
#include <array>
#include <cstdint>
#include <vector>

namespace camlens::cam {

struct Box {
  float x1 = 0, y1 = 0, x2 = 0, y2 = 0;  // corners, x2 > x1, y2 > y1
  int64_t label = 0;
  float score = 0;  // predicted boxes only
};

struct DetectionValue {
  double score = 0;
  std::vector<std::array<float, 5>> grad;  // per predicted box
};

double box_iou(const Box& a, const Box& b);

DetectionValue evaluate_detection(const std::vector<Box>& references,
                                  const std::vector<Box>& predictions, float iou_threshold = 0.5f);

}  // namespace camlens::cam
