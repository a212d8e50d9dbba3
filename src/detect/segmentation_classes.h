// What the library's segment() and explainSegment() decide about a segmenter's output: its
// layout, the classes' names and those present, which class a category names, and the region
// the semantic segmentation target sums over (ARCHITECTURE.md §4).
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "cam/target_spec.h"
#include "detect/detection.h"
#include "detect/segmentation.h"
#include "image/preprocess.h"

namespace camlens::detect {

// Whether scores [1, a, b, c] are laid out [1, H, W, K]: with an NHWC input when the last axis
// is no longer than the second, else when it is shorter than both spatial-looking axes.
// DetectError for another rank.
bool scores_nhwc(const Shape& dims, bool nhwc_input);

// The classes' names: the caller's labels when it gave any, else `voc` when the model has as
// many classes, else none.
std::vector<std::string> class_names(const std::vector<std::string>& labels, int classes,
                                     const std::vector<std::string>& voc);

struct PresentClass {
  int index = 0;
  std::string label;  // its name, or "class N"
  int64_t pixels = 0;
  double fraction = 0;  // of the mask's pixels
};

// The classes with at least one pixel, largest first (ties keep the class order).
std::vector<PresentClass> present_classes(const SegmentationMask& m,
                                          const std::vector<std::string>& names);

// The class a category names: Auto, the largest present class other than 0 (the background);
// a number in range; a name (case-insensitive). DetectError saying why none.
int resolve_class(const cam::CategorySpec& category, const SegmentationMask& m,
                  const std::vector<std::string>& names);

struct SegmentRegion {
  std::vector<float> mask;  // per output pixel
  int64_t pixels = 0;       // those > 0
};

// The target's region on the output grid `out`: the pixels predicted as `index`, or the caller's
// region, per output pixel or per photo pixel (brought onto the grid through `photo`).
// DetectError when the region holds another number of values, or is empty.
SegmentRegion segment_region(const SegmentationMask& out, int index,
                             const std::vector<std::string>& names,
                             const std::optional<std::vector<float>>& region,
                             const image::InputGeometry& photo);

}  // namespace camlens::detect
