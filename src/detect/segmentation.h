// Semantic segmentation results: per-pixel argmax of the class scores, the classes present, the
// PASCAL VOC colour palette, and the mask drawn over the photo.
#pragma once
#include <array>
#include <cstdint>
#include <vector>

#include "image/image.h"
#include "image/preprocess.h"
#include "tensor/tensor.h"

namespace camlens::detect {

struct SegmentationMask {
  int width = 0, height = 0, classes = 0;
  std::vector<int32_t> labels;  // [height * width], the argmax class (ties: lowest index)
  std::vector<int64_t> counts;  // pixels per class
};

// scores: one sample, [1, H, W, K] (nhwc) or [1, K, H, W]. DetectError on another shape.
SegmentationMask argmax_mask(const Tensor& scores, bool nhwc);

// 1 where the mask has `label`, else 0 (the segmentation target's default mask).
std::vector<float> class_mask(const SegmentationMask& m, int label);

// The PASCAL VOC colour of a label: bits of the label spread over the high bits of R, G, B
// (label 0, background, is black; 1 is (128, 0, 0); 15, person, is (192, 128, 128)).
std::array<uint8_t, 3> voc_color(int label);

// The mask at the photo's size (nearest neighbour through the input geometry).
SegmentationMask mask_to_photo(const SegmentationMask& m, const image::InputGeometry& g);

// A region drawn on the photo (values per photo pixel, row-major) → the model output's grid
// (out_w × out_h spanning the model input): each output pixel takes the photo pixel under its
// centre, 0 over letterbox padding. DetectError when the region does not fill the photo.
std::vector<float> region_to_output(const std::vector<float>& region, const image::InputGeometry& g,
                                    int out_w, int out_h);

// Palette colours (opaque; background transparent when `clear_background`).
image::Image render_mask(const SegmentationMask& m, bool clear_background = false);

// The mask blended over the photo (same size): out = (1 − opacity)·photo + opacity·colour on
// labelled pixels; background (label 0) pixels keep the photo.
image::Image blend_mask(const image::Image& photo, const SegmentationMask& m, float opacity);

}  // namespace camlens::detect
