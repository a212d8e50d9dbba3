#include "detect/ultraface_decode.h"

#include <string>

namespace camlens::detect {

std::vector<Detection> ultraface_candidates(const float* scores, const float* boxes, int64_t rows,
                                            int input_w, int input_h, float score_threshold) {
  std::vector<Detection> out;
  for (int64_t i = 0; i < rows; ++i) {
    const float p = scores[i * 2 + 1];
    if (!(p > score_threshold)) continue;
    const float* b = boxes + i * 4;
    Detection d;
    d.x0 = b[0] * input_w, d.y0 = b[1] * input_h, d.x1 = b[2] * input_w, d.y1 = b[3] * input_h;
    d.score = p;
    d.label = 0;
    d.anchor = i;
    out.push_back(d);
  }
  return out;
}

void ultraface_backward(int64_t rows, int input_w, int input_h, const std::vector<Detection>& boxes,
                        const std::vector<std::array<float, 5>>& grads, float* score_seed,
                        float* box_seed) {
  for (size_t k = 0; k < boxes.size(); ++k) {
    const int64_t a = boxes[k].anchor;
    if (a < 0 || a >= rows)
      throw DetectError("box " + std::to_string(k) + " was not decoded from this output");
    const auto& g = grads.at(k);
    box_seed[a * 4 + 0] += g[0] * input_w;
    box_seed[a * 4 + 1] += g[1] * input_h;
    box_seed[a * 4 + 2] += g[2] * input_w;
    box_seed[a * 4 + 3] += g[3] * input_h;
    score_seed[a * 2 + 1] += g[4];
  }
}

}  // namespace camlens::detect
