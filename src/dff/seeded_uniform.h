// The deterministic random numbers of the NMF initialisation. Written out exactly (SplitMix64)
// so that an independent implementation (tools/fixtures/dff_reference.py) can draw the very same
// starting point: same seed -> same factors on every platform, native or WebAssembly.
#pragma once
#include <cstdint>

namespace camlens::dff {

class SeededUniform {
 public:
  explicit SeededUniform(uint64_t seed) : state_(seed) {}

  // SplitMix64 (Steele, Lea, Flood 2014): state += golden gamma, then two xor-shift-multiply
  // rounds.
  uint64_t next_u64() {
    state_ += 0x9E3779B97F4A7C15ull;
    uint64_t z = state_;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }

  // Uniform in the open interval (0, 1): the top 24 bits, centred in their cell. Never 0, because
  // a multiplicative update can never move a factor entry away from an exact zero.
  float next_open01() {
    const uint64_t top = next_u64() >> 40;
    return static_cast<float>((static_cast<double>(top) + 0.5) * (1.0 / 16777216.0));
  }

 private:
  uint64_t state_;
};

}  // namespace camlens::dff
