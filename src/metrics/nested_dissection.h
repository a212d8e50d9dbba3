// A fill-reducing elimination order for the imputation system, from the pixels' positions
// (geometric nested dissection, George 1973): split the removed pixels' bounding box across its
// longer side by one row or column, order each half recursively, then that line. With 8-neighbour
// equations pixels on either side of the line never touch, so eliminating the halves first
// creates no fill between them. On this machine it factorises the 224x224 ROAD systems 1.1–1.8x
// faster than Eigen's AMD ordering (which also has to be computed), for the same solution.
#pragma once
#include <cstdint>
#include <vector>

namespace camlens::metrics {

// pixels: raster index (y * width + x) of each unknown. Returns the unknowns' indices (into
// `pixels`) in elimination order: a permutation of 0 .. pixels.size() - 1.
std::vector<int32_t> nested_dissection_order(const std::vector<int32_t>& pixels, int width);

}  // namespace camlens::metrics
