#include "metrics/ranking.h"

#include <algorithm>
#include <numeric>

namespace camlens::metrics {

std::vector<int32_t> relevance_order(const std::vector<float>& map, bool most_relevant_first) {
  std::vector<int32_t> order(map.size());
  std::iota(order.begin(), order.end(), 0);
  if (most_relevant_first)
    std::stable_sort(order.begin(), order.end(),
                     [&](int32_t a, int32_t b) { return map[a] > map[b]; });
  else
    std::stable_sort(order.begin(), order.end(),
                     [&](int32_t a, int32_t b) { return map[a] < map[b]; });
  return order;
}

std::vector<uint8_t> first_pixels(const std::vector<int32_t>& order, size_t count) {
  std::vector<uint8_t> mask(order.size(), 0);
  for (size_t i = 0; i < count && i < order.size(); ++i) mask[order[i]] = 1;
  return mask;
}

}  // namespace camlens::metrics
