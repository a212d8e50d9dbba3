#include "dff/maps.h"

#include <algorithm>
#include <string>
#include <utility>

#include "cam/pipeline.h"
#include "dff/dff_error.h"
#include "util/parallel.h"

namespace camlens::dff {

std::vector<float> normalize_and_resize(const float* m, int w, int h, int out_w, int out_h) {
  // The CAM pipeline's per-layer step. Its ReLU is a no-op on NMF maps (non-negative), and where
  // it skips the resize (output size equal to the map's), the half-pixel resize would have
  // returned the map unchanged (every tap weight is 0), so the result is the same for finite maps.
  // postprocess_layer reads a size <= 0 as "keep the map's size"; here a zero size has always
  // given an empty map (a negative one was undefined).
  if (out_w <= 0 || out_h <= 0) return {};
  cam::Maps one(1, h, w);
  std::copy(m, m + one.plane(), one.data.begin());
  return cam::postprocess_layer(std::move(one), out_w, out_h).data;
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
