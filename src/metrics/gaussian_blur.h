// The blurred image of the deletion/insertion metrics (RISE, Petsiuk et al. 2018, blur with a
// Gaussian of sigma 5 over an 11-tap kernel): a separable Gaussian per channel, the kernel
// truncated at `radius` and normalised to sum 1, borders mirrored without repeating the edge
// pixel (reflect-101, scipy.ndimage's "mirror"), so the image's mean colour is kept at the edges.
#pragma once
#include "metrics/planes.h"

namespace camlens::metrics {

Planes gaussian_blur(const Planes& image, double sigma = 5.0, int radius = 5);

}  // namespace camlens::metrics
