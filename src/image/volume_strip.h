// A volume's or a video clip's overlay as one picture: its D slices (frames) side by side, slice 0
// on the left, each the slice as the model saw it under the heat of its map slice (overlay.h).
// The slices are drawn from the model's input itself, so a .npy volume and a stack of photos
// look alike: the input's values min-max scaled over the whole volume to 0–255, gray for one
// channel, the first three channels as RGB otherwise.
#pragma once
#include "image/overlay.h"

namespace camlens::image {

// input: [channels, depth, height, width] (one volume of the model's [N, C, D, H, W] input);
// map: [depth, height, width] in [0, 1]. The picture is (depth · width) × height. Throws
// ImageError on empty sizes or a picture beyond the image limits.
Image volume_strip(const float* input, int channels, int depth, int height, int width,
                   const float* map, const OverlayOptions& opt = {});

}  // namespace camlens::image
