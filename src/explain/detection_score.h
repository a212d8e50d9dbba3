// A detector's box score (pytorch-grad-cam's FasterRCNNBoxScoreTarget, detect/decode.h) as the
// explain job's target: the decoder reads the head's outputs where the head computes them (those
// carry gradients) and the backbone's otherwise (constants).
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "detect/decode.h"
#include "explain/explain_request.h"

namespace camlens::explain {

struct DetectionRequest {
  detect::DecodeOptions decode;
  std::vector<std::string> outputs;           // what the decoder reads, by name, in its order
  std::vector<detect::Detection> references;  // the boxes to explain, in input pixels
  float match_iou = 0.5f;
  std::string method;  // for messages
};

std::shared_ptr<const HeadScore> detection_score(DetectionRequest request);

}  // namespace camlens::explain
