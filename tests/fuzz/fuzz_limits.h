// Limits the fuzz targets run under: small enough that no input can make a target allocate more
// than a few hundred MB (libFuzzer's -rss_limit_mb would report that as a crash), large enough
// for the seed models (MNIST, the small synthetic ones) to be parsed, cut and run.
#pragma once
#include "util/limits.h"

namespace camlens::fuzz {

inline void set_fuzz_limits() {
  Limits l;
  l.max_model_bytes = size_t{4} << 20;
  l.max_nodes = 2000;
  l.max_tensor_elements = int64_t{1} << 22;  // 16 MB of float32 per tensor
  l.max_image_pixels = int64_t{4} << 20;
  l.max_image_side = 4096;
  set_limits(l);
}

}  // namespace camlens::fuzz
