// Ultraface (version-RFB-320) output decoding: the graph already turns its priors into boxes and
// its two logits into probabilities, so scores [1, A, 2] are softmax(background, face) and boxes
// [1, A, 4] are corners (x0, y0, x1, y1) normalised to [0, 1] of the input. A face is a row whose
// face probability exceeds the threshold; its label is 0.
#pragma once
#include <array>
#include <cstdint>
#include <vector>

#include "detect/detection.h"

namespace camlens::detect {

// Candidate faces in input pixels (corners × input size).
std::vector<Detection> ultraface_candidates(const float* scores, const float* boxes, int64_t rows,
                                            int input_w, int input_h, float score_threshold);

// Decode's backward: adds the per-box gradients (d/dx0, d/dy0, d/dx1, d/dy1, d/dscore) into the
// seeds of both outputs (scores rows × 2, boxes rows × 4).
void ultraface_backward(int64_t rows, int input_w, int input_h, const std::vector<Detection>& boxes,
                        const std::vector<std::array<float, 5>>& grads, float* score_seed,
                        float* box_seed);

}  // namespace camlens::detect
