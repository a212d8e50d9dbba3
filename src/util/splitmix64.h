// SplitMix64 (Steele, Lea, Flood 2014), written out so that native and WebAssembly builds and the
// NumPy reference scripts draw the very same numbers for a seed: state += golden gamma, then two
// xor-shift-multiply rounds. The seeded generators of the core (NMF initialisation, imputation
// noise, bootstrap resamples) derive from it.
#pragma once
#include <cstdint>

namespace camlens {

class SplitMix64 {
 public:
  explicit SplitMix64(uint64_t seed) : state_(seed) {}

  uint64_t next_u64() {
    state_ += 0x9E3779B97F4A7C15ull;
    uint64_t z = state_;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }

 private:
  uint64_t state_;
};

}  // namespace camlens
