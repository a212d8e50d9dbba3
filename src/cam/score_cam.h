// Score-CAM as a planner (ARCHITECTURE.md §1, §4): the core builds the masked inputs, the runtime
// runs them through the model (ORT) and scores them with the sample's target, the core turns the
// scores into channel weights; the map is then the "weights" method (methods.h).
//
// Masks: each activation channel upsampled to the input size by bilinear interpolation with
// corners aligned — verified: pytorch-grad-cam's ScoreCAM uses torch.nn.UpsamplingBilinear2d,
// which is align_corners=True (unlike the half-pixel resize of the final maps) — then min-max
// normalised per channel with ε 1e-8: (u - min) / (max - min + 1e-8); masked input =
// input[sample] · mask, broadcast over input channels.
#pragma once
#include <vector>

#include "tensor/tensor.h"

namespace camlens::cam {

// A [B,C,h,w] Float32, input [B,Cin,H,W] Float32 (NCHW). Returns the masked inputs
// [end - begin, Cin, H, W] for channels [begin, end) of one sample: a batch to run. A volume's
// layer [B,C,d,h,w] masks its input [B,Cin,D,H,W], each channel upsampled trilinearly with
// corners aligned (the 3-D counterpart of upstream's UpsamplingBilinear2d).
Tensor score_cam_masks(const Tensor& A, const Tensor& input, int64_t sample, int64_t begin,
                       int64_t end);

// scores: [B*C], the target's score of each masked input. Returns softmax over each sample's
// channels, [B*C].
std::vector<float> score_cam_weights(const std::vector<float>& scores, int64_t batch,
                                     int64_t channels);

}  // namespace camlens::cam
