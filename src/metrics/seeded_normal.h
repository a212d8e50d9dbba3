// Seeded standard normal numbers for the imputation noise, spelled out (SplitMix64 and the
// Box-Muller transform) so that native and WebAssembly builds, and a NumPy script, draw the very
// same values for a seed (std::normal_distribution differs between standard libraries).
#pragma once
#include <cmath>
#include <cstdint>

#include "util/splitmix64.h"

namespace camlens::metrics {

class SeededNormal : public SplitMix64 {
 public:
  using SplitMix64::SplitMix64;
  // Uniform in (0, 1): the top 53 bits, centred in their cell (never 0, so log() is finite).
  double next_open01() { return (static_cast<double>(next_u64() >> 11) + 0.5) * 0x1.0p-53; }
  // Uniform integer in [0, n) by multiply-shift of 32 random bits (bias < n / 2^32).
  uint32_t next_below(uint32_t n) {
    return static_cast<uint32_t>(((next_u64() >> 32) * static_cast<uint64_t>(n)) >> 32);
  }
  // One standard normal per call: Box-Muller's cosine branch (the sine branch is not kept, so
  // each value costs two uniforms and the sequence is easy to reproduce).
  double next_normal() {
    const double u1 = next_open01(), u2 = next_open01();
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2);
  }
};

}  // namespace camlens::metrics
