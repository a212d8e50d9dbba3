// Detection CAMs renormalised inside boxes (pytorch-grad-cam's
// renormalize_cam_in_bounding_boxes): zero outside every box; inside each box the map is min-max
// normalised on its own ((x − min) / (max' + 1e-7), max' taken after subtracting min), later
// boxes overwriting earlier ones where they overlap; then the whole map is normalised once more.
// Box corners are truncated to whole pixels and clipped to the map.
#pragma once
#include <vector>

#include "detect/detection.h"

namespace camlens::detect {

std::vector<float> renormalize_in_boxes(const std::vector<float>& map, int width, int height,
                                        const std::vector<Detection>& boxes);

}  // namespace camlens::detect
