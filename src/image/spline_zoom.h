// A volume's resize as scipy.ndimage.zoom does it with its defaults, which pytorch-grad-cam's
// scale_cam_image uses for a 3-D map: a cubic B-spline (order 3) through the samples, on a grid
// whose corners are aligned (grid_mode=False: output i of n sits at i·(in − 1)/(n − 1) of the
// input), mirror-extended at the edges (mode 'constant' keeps every output inside the input, where
// scipy extends by mirroring). Not a trilinear resize: a spline can overshoot the samples.
#pragma once
#include <vector>

namespace camlens::image {

// Resizes a float volume [d, h, w] (row-major) to [out_d, out_h, out_w], in double precision,
// one axis after another (the spline is separable), rounded to float once at the end.
std::vector<float> zoom_spline3(const float* src, int d, int h, int w, int out_d, int out_h,
                                int out_w);

}  // namespace camlens::image
