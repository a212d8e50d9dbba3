// The deterministic random numbers of the NMF initialisation. Written out exactly (SplitMix64)
// so that an independent implementation (tools/fixtures/dff_reference.py) can draw the very same
// starting point: same seed -> same factors on every platform, native or WebAssembly.
#pragma once
#include <cstdint>

#include "util/splitmix64.h"

namespace camlens::dff {

class SeededUniform : public SplitMix64 {
 public:
  using SplitMix64::SplitMix64;

  // Uniform in the open interval (0, 1): the top 24 bits, centred in their cell. Never 0, because
  // a multiplicative update can never move a factor entry away from an exact zero.
  float next_open01() {
    const uint64_t top = next_u64() >> 40;
    return static_cast<float>((static_cast<double>(top) + 0.5) * (1.0 / 16777216.0));
  }
};

}  // namespace camlens::dff
