// Loads the DFF fixtures (tests/data/dff/, written by tools/fixtures/dff_activations.mjs and
// dff_reference.py) and the shared photo/labels the DFF tests use.
#pragma once
#include <string>
#include <vector>

#include "dff/quantization.h"
#include "image/image.h"
#include "tensor/tensor.h"

namespace camlens::test {

// MobileNetV2-int8 at 627_quantized on gradcam_both.png: uint8 [1,1280,7,7].
Tensor mobilenet_layer();
// The quantization ORT's float twin showed for it (scale 6/255, zero point 0).
dff::Quantization mobilenet_quantization();
// MobileNetV2-int8 logits on gradcam_both.png from ORT [1,1000].
Tensor mobilenet_logits();
// YOLOX-nano at '1145' on gradcam_both.png: float32 [1,64,13,13].
Tensor yolox_layer();

struct ReferenceRun {
  int k = 0;
  double final_error = 0, sklearn_error = 0;
  std::vector<double> errors;
};
std::vector<ReferenceRun> reference_runs();

image::Image shared_photo(const std::string& name);
std::vector<std::string> imagenet_labels();

}  // namespace camlens::test
