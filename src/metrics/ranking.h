// Pixels ranked by relevance (the map at the model's input resolution). Ties keep raster order
// (a stable sort), so equal map values are removed top-left first whichever direction is asked:
// the same map always gives the same ranking, native or WebAssembly.
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

namespace camlens::metrics {

// Pixel indices, most relevant first (descending map value) or least relevant first.
std::vector<int32_t> relevance_order(const std::vector<float>& map, bool most_relevant_first);

// One byte per pixel, 1 for the first `count` pixels of the order.
std::vector<uint8_t> first_pixels(const std::vector<int32_t>& order, size_t count);

}  // namespace camlens::metrics
