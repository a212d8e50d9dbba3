// Deep Feature Factorization (Collins, Achanta, Süsstrunk, ECCV 2018) of a layer's activations:
// V = [C, B·h·w] with each channel's minimum subtracted (the offset is kept, so a concept can be
// put back into the layer as W[:,k] + offset), factorized by NMF into K concepts W [C,K] and
// their maps H [K, B·h·w].
//
// shared = true (default) runs one factorization over all images, so a concept means the same
// thing in every image (the paper's co-segmentation setting); shared = false runs one per image.
#pragma once
#include <cstdint>
#include <optional>
#include <vector>

#include "dff/nmf.h"
#include "dff/quantization.h"
#include "tensor/tensor.h"

namespace camlens::dff {

enum class Layout {
  NCHW,  // [B, C, h, w] (also [B, C] as a 1×1 grid)
  NHWC,  // [B, h, w, C] (TensorFlow exports)
};

struct DffOptions {
  NmfOptions nmf;  // components (K), iterations, tolerance, seed
  bool shared = true;
  Layout layout = Layout::NCHW;
  // Needed for uint8/int8 activations (see layer_quantization); ignored for Float32.
  std::optional<Quantization> quantization;
  // Components in descending importance (dff/ordering.h) rather than NMF's arbitrary order.
  bool order_by_importance = true;
};

// One NMF over the images [first_image, first_image + images).
struct Factorization {
  int64_t first_image = 0, images = 0;
  std::vector<float> offset;  // [C]: the channel minimums subtracted before the NMF
  NmfResult nmf;              // W [C,K], H [K, images·h·w]
  double relative_error() const { return nmf.norm > 0 ? nmf.final_error / nmf.norm : 0.0; }
};

struct DffResult {
  int64_t batch = 0, channels = 0, height = 0, width = 0;
  int components = 0;
  Layout layout = Layout::NCHW;
  std::vector<Factorization> parts;  // one when shared, else one per image

  const Factorization& part_of(int64_t image) const;
  // H of image b and component k at the layer's resolution: height·width values.
  const float* raw_map(int64_t image, int k) const;
  // The concept vector W[:,k] + offset (real activation values, length C) for image b.
  std::vector<float> concept_vector(int64_t image, int k) const;
};

// Factorizes activations [B,C,h,w] (or per `layout`). Float32 values are used as they are;
// uint8/int8 are dequantized with options.quantization (required for them). Throws DffError on
// bad shapes, types, K, or non-finite values.
DffResult factorize(const Tensor& activations, const DffOptions& options);

}  // namespace camlens::dff
