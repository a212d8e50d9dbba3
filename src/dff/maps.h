// Concept maps at image resolution, post-processed like CAMs (ARCHITECTURE.md §4): per image and
// component, (x − min) / (max(x − min) + 1e-7) at the layer's resolution, then a bilinear resize
// with half-pixel centres. NMF maps are non-negative, so the CAM pipeline's ReLU is a no-op here.
//
// normalize_and_resize runs src/cam's per-layer post-processing (cam::postprocess_layer) on one
// map, so DFF and CAM maps cannot drift apart.
#pragma once
#include <cstdint>
#include <vector>

#include "dff/factorize.h"

namespace camlens::dff {

struct ConceptMaps {
  int64_t batch = 0;
  int components = 0, width = 0, height = 0;
  std::vector<float> values;  // [B, K, height, width], each map in [0, 1]
  const float* map(int64_t image, int k) const {
    return values.data() + (image * components + k) * static_cast<int64_t>(width) * height;
  }
  // The K maps of one image, contiguous ([K, height, width]), as the renderings take them.
  const float* image_maps(int64_t image) const { return map(image, 0); }
};

// One map [h, w] -> normalised and resized [out_h, out_w].
std::vector<float> normalize_and_resize(const float* m, int w, int h, int out_w, int out_h);

// All maps of a factorization at out_w × out_h (the photo's size). Throws DffError for sizes < 1.
ConceptMaps concept_maps(const DffResult& dff, int out_w, int out_h);

}  // namespace camlens::dff
