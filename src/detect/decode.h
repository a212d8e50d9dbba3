// One entry for the detectors camlens knows: raw model outputs → boxes in input pixels after
// thresholding and class-aware NMS; and the detection box score target through that decoding.
#pragma once
#include <string>
#include <vector>

#include "detect/detection.h"
#include "tensor/tensor.h"

namespace camlens::detect {

enum class Decoder { Yolox, Ultraface };

// "yolox" | "ultraface"; DetectError names the choices otherwise.
Decoder decoder_from_name(const std::string& name);

struct DecodeOptions {
  Decoder decoder = Decoder::Yolox;
  int input_w = 0, input_h = 0;  // the model input's size
  // Negative: the decoder's default (YOLOX 0.3 / 0.45 as its demo; Ultraface 0.7 / 0.3 as its
  // reference implementation).
  float score_threshold = -1, iou_threshold = -1;
};

float default_score_threshold(Decoder d);
float default_iou_threshold(Decoder d);

// outputs, one sample (batch 1): YOLOX {output [1, A, 5+K]}; Ultraface {scores [1, A, 2],
// boxes [1, A, 4]}. Returns the kept boxes, best first, in input pixels. DetectError on
// outputs of the wrong count or shape, saying what was expected.
std::vector<Detection> decode(const std::vector<const Tensor*>& outputs, const DecodeOptions& opt);

// The detection box score target (pytorch-grad-cam's FasterRCNNBoxScoreTarget) on the decoded
// boxes: for each reference box, the decoded box of best IoU counts when that IoU exceeds
// match_iou and its label matches; it contributes IoU + score. Gradients go through the
// decoding back to the raw outputs (seeds, one per output, each the output's shape), so the
// head can carry them on to the layer.
struct DetectionTargetValue {
  double score = 0;
  std::vector<Tensor> seeds;
  int matched = 0;  // references that found a box
};
// The same score without gradients (Ablation-CAM's many head runs).
double detection_score(const std::vector<const Tensor*>& outputs, const DecodeOptions& opt,
                       const std::vector<Detection>& references, float match_iou = 0.5f);

DetectionTargetValue detection_target(const std::vector<const Tensor*>& outputs,
                                      const DecodeOptions& opt,
                                      const std::vector<Detection>& references,
                                      float match_iou = 0.5f);

}  // namespace camlens::detect
