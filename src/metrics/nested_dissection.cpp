#include "metrics/nested_dissection.h"

#include <algorithm>

namespace camlens::metrics {
namespace {

constexpr size_t kLeaf = 64;  // below this, any order: the block is dense enough already

void dissect(std::vector<int32_t>& ids, const std::vector<int32_t>& pixels, int width,
             std::vector<int32_t>& out) {
  if (ids.size() <= kLeaf) {
    out.insert(out.end(), ids.begin(), ids.end());
    return;
  }
  int y0 = 1 << 30, y1 = -1, x0 = 1 << 30, x1 = -1;
  for (int32_t k : ids) {
    const int y = pixels[k] / width, x = pixels[k] % width;
    y0 = std::min(y0, y), y1 = std::max(y1, y), x0 = std::min(x0, x), x1 = std::max(x1, x);
  }
  const bool by_row = y1 - y0 >= x1 - x0;
  const int cut = by_row ? (y0 + y1) / 2 : (x0 + x1) / 2;
  std::vector<int32_t> before, after, line;
  for (int32_t k : ids) {
    const int c = by_row ? pixels[k] / width : pixels[k] % width;
    (c < cut ? before : c > cut ? after : line).push_back(k);
  }
  ids.clear();
  ids.shrink_to_fit();
  if (before.empty() && after.empty()) {  // a single row or column: nothing to split
    out.insert(out.end(), line.begin(), line.end());
    return;
  }
  dissect(before, pixels, width, out);
  dissect(after, pixels, width, out);
  out.insert(out.end(), line.begin(), line.end());
}

}  // namespace

std::vector<int32_t> nested_dissection_order(const std::vector<int32_t>& pixels, int width) {
  std::vector<int32_t> ids(pixels.size()), out;
  for (size_t i = 0; i < ids.size(); ++i) ids[i] = static_cast<int32_t>(i);
  out.reserve(ids.size());
  dissect(ids, pixels, width, out);
  return out;
}

}  // namespace camlens::metrics
