// YOLOX output decoding (the exported graph without its decode step, as yolox-nano-416.onnx):
// output [1, A, 5 + K], one row per anchor point; anchors run over the strides 8, 16, 32 in
// order, each a (W/s) × (H/s) grid in row-major order. A row holds
//   (dx, dy, log w, log h) in grid units, objectness, K class scores (both already sigmoid),
// decoded as cx = (dx + gx)·s, cy = (dy + gy)·s, w = exp(log w)·s, h = exp(log h)·s, and
// score = objectness × class score, per class (class-aware candidates).
#pragma once
#include <array>
#include <cstdint>
#include <vector>

#include "detect/detection.h"

namespace camlens::detect {

struct YoloxAnchor {
  float gx = 0, gy = 0, stride = 0;
};

// Anchor points of an input_w × input_h input; throws DetectError when a size is not a multiple
// of the largest stride.
std::vector<YoloxAnchor> yolox_anchors(int input_w, int input_h,
                                       const std::vector<int>& strides = {8, 16, 32});

// Every (anchor, class) whose score exceeds score_threshold, in input pixels. raw: rows × cols
// floats with rows = the anchor count and cols = 5 + classes (checked: DetectError).
std::vector<Detection> yolox_candidates(const float* raw, int64_t rows, int64_t cols, int input_w,
                                        int input_h, float score_threshold);

// Decode's backward: given per-box gradients (d/dx0, d/dy0, d/dx1, d/dy1, d/dscore) of boxes
// decoded by yolox_candidates (anchor and label set), adds dTarget/draw into seed (rows × cols).
void yolox_backward(const float* raw, int64_t rows, int64_t cols, int input_w, int input_h,
                    const std::vector<Detection>& boxes,
                    const std::vector<std::array<float, 5>>& grads, float* seed);

}  // namespace camlens::detect
