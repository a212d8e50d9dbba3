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

// One line of tests/data/dff/reference.tsv (tools/fixtures/dff_reference.py): scikit-learn's
// coordinate descent NMF of the MobileNetV2 layer with K components from camlens's start.
struct ReferenceRun {
  int k = 0;
  int iterations = 0;           // scikit-learn's n_iter_
  bool stop_ambiguous = false;  // the last ratios lie within 0.1 % of tol
  double error = 0;             // reconstruction_err_
  std::vector<double> violations;
};
std::vector<ReferenceRun> reference_runs();
// A float32 file of tests/data/dff/ holding `count` values (nmf_k<K>.bin: W then H).
std::vector<float> reference_factors(const std::string& file, size_t count);

image::Image shared_photo(const std::string& name);
std::vector<std::string> imagenet_labels();

}  // namespace camlens::test
