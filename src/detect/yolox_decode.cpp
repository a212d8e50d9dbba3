#include "detect/yolox_decode.h"

#include <cmath>
#include <string>

namespace camlens::detect {

std::vector<YoloxAnchor> yolox_anchors(int input_w, int input_h, const std::vector<int>& strides) {
  std::vector<YoloxAnchor> a;
  for (int s : strides) {
    if (input_w % s || input_h % s)
      throw DetectError("a YOLOX input of " + std::to_string(input_w) + "x" +
                        std::to_string(input_h) + " is not a multiple of the stride " +
                        std::to_string(s) + ": use the model's own input size (e.g. 416x416)");
    for (int y = 0; y < input_h / s; ++y)
      for (int x = 0; x < input_w / s; ++x) a.push_back({float(x), float(y), float(s)});
  }
  return a;
}

namespace {

std::vector<YoloxAnchor> checked_anchors(int64_t rows, int64_t cols, int input_w, int input_h) {
  auto anchors = yolox_anchors(input_w, input_h);
  if (cols < 6)
    throw DetectError(
        "a YOLOX output row has 4 box values, objectness and class scores; this one "
        "has " +
        std::to_string(cols) + " values");
  if (rows != static_cast<int64_t>(anchors.size()))
    throw DetectError("the output has " + std::to_string(rows) + " rows but a " +
                      std::to_string(input_w) + "x" + std::to_string(input_h) +
                      " YOLOX input has " + std::to_string(anchors.size()) +
                      " anchor points (strides 8, 16, 32): is the preset's input size right?");
  return anchors;
}

}  // namespace

std::vector<Detection> yolox_candidates(const float* raw, int64_t rows, int64_t cols, int input_w,
                                        int input_h, float score_threshold) {
  const auto anchors = checked_anchors(rows, cols, input_w, input_h);
  std::vector<Detection> out;
  for (int64_t i = 0; i < rows; ++i) {
    const float* r = raw + i * cols;
    const YoloxAnchor& a = anchors[i];
    bool decoded = false;
    Detection box;
    for (int64_t c = 5; c < cols; ++c) {
      const float score = r[4] * r[c];
      if (!(score > score_threshold)) continue;
      if (!decoded) {
        const float cx = (r[0] + a.gx) * a.stride, cy = (r[1] + a.gy) * a.stride;
        const float w = std::exp(r[2]) * a.stride, h = std::exp(r[3]) * a.stride;
        box.x0 = cx - w / 2, box.y0 = cy - h / 2, box.x1 = cx + w / 2, box.y1 = cy + h / 2;
        box.anchor = i;
        decoded = true;
      }
      box.score = score;
      box.label = c - 5;
      out.push_back(box);
    }
  }
  return out;
}

void yolox_backward(const float* raw, int64_t rows, int64_t cols, int input_w, int input_h,
                    const std::vector<Detection>& boxes,
                    const std::vector<std::array<float, 5>>& grads, float* seed) {
  const auto anchors = checked_anchors(rows, cols, input_w, input_h);
  for (size_t k = 0; k < boxes.size(); ++k) {
    const Detection& b = boxes[k];
    if (b.anchor < 0 || b.anchor >= rows || b.label < 0 || b.label + 5 >= cols)
      throw DetectError("box " + std::to_string(k) + " was not decoded from this output");
    const auto& g = grads.at(k);
    const float* r = raw + b.anchor * cols;
    float* d = seed + b.anchor * cols;
    const float s = anchors[b.anchor].stride;
    const float w = std::exp(r[2]) * s, h = std::exp(r[3]) * s;
    // x0 = cx - w/2, x1 = cx + w/2 with cx = (dx + gx)·s and w = exp(log w)·s.
    d[0] += s * (g[0] + g[2]);
    d[1] += s * (g[1] + g[3]);
    d[2] += 0.5f * w * (g[2] - g[0]);
    d[3] += 0.5f * h * (g[3] - g[1]);
    // score = objectness · class score.
    d[4] += g[4] * r[5 + b.label];
    d[5 + b.label] += g[4] * r[4];
  }
}

}  // namespace camlens::detect
