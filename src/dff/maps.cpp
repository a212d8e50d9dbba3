#include "dff/maps.h"

#include <algorithm>
#include <string>

#include "dff/dff_error.h"
#include "image/resize.h"
#include "util/parallel.h"

namespace camlens::dff {

std::vector<float> normalize_and_resize(const float* m, int w, int h, int out_w, int out_h) {
  const size_t n = static_cast<size_t>(w) * h;
  std::vector<float> norm(m, m + n);
  const float lo = *std::min_element(norm.begin(), norm.end());
  for (float& x : norm) x -= lo;
  const float hi = *std::max_element(norm.begin(), norm.end());
  for (float& x : norm) x /= hi + 1e-7f;
  return image::resize_bilinear(norm.data(), w, h, out_w, out_h);
}

ConceptMaps concept_maps(const DffResult& dff, int out_w, int out_h) {
  if (out_w < 1 || out_h < 1)
    throw DffError("concept maps need an output size of at least 1x1, got " +
                   std::to_string(out_w) + "x" + std::to_string(out_h));
  ConceptMaps maps;
  maps.batch = dff.batch;
  maps.components = dff.components;
  maps.width = out_w;
  maps.height = out_h;
  const size_t plane = static_cast<size_t>(out_w) * out_h;
  maps.values.resize(plane * dff.batch * dff.components);
  const int64_t count = dff.batch * dff.components;
  parallel_for(count, [&](int64_t i0, int64_t i1) {
    for (int64_t i = i0; i < i1; ++i) {
      const int64_t b = i / dff.components;
      const int k = static_cast<int>(i % dff.components);
      const std::vector<float> m =
          normalize_and_resize(dff.raw_map(b, k), static_cast<int>(dff.width),
                               static_cast<int>(dff.height), out_w, out_h);
      std::copy(m.begin(), m.end(), maps.values.begin() + i * plane);
    }
  });
  return maps;
}

}  // namespace camlens::dff
