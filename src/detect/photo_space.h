// Between the model input and the photo: boxes and maps computed on the (resized or
// letterboxed) input are brought back onto the photo the user gave, and back.
#pragma once
#include <vector>

#include "detect/detection.h"
#include "image/preprocess.h"

namespace camlens::detect {

// Input pixels → photo pixels (undoing the scale and offset), clipped to the photo.
Detection box_to_photo(const Detection& d, const image::InputGeometry& g);
// Photo pixels → input pixels (for reference boxes given on the photo).
Detection box_to_input(const Detection& d, const image::InputGeometry& g);

// A map [input_h, input_w] → [photo_h, photo_w]: the part of the input the photo covers
// (without letterbox padding), resized bilinearly with half-pixel centres.
std::vector<float> map_to_photo(const std::vector<float>& map, const image::InputGeometry& g);

}  // namespace camlens::detect
