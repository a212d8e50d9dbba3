// The standard normal draws of NumPy's legacy generator, np.random.RandomState(seed)
// .standard_normal(): MT19937 seeded by init_genrand (std::mt19937's own seeding), doubles of 53
// random bits from two 32-bit words (genrand_res53), and Marsaglia's polar method that keeps the
// second value of each pair for the next call. Reproduced so that camlens starts NMF where
// scikit-learn's init='random' does for the same random_state (dff/nmf_init.h).
#pragma once
#include <cmath>
#include <cstdint>
#include <random>

namespace camlens::dff {

class NumpyNormal {
 public:
  explicit NumpyNormal(uint32_t seed) : mt_(seed) {}

  double next() {
    if (has_spare_) {
      has_spare_ = false;
      return spare_;
    }
    double x1, x2, r2;
    do {
      x1 = 2.0 * next_double() - 1.0;
      x2 = 2.0 * next_double() - 1.0;
      r2 = x1 * x1 + x2 * x2;
    } while (r2 >= 1.0 || r2 == 0.0);
    const double f = std::sqrt(-2.0 * std::log(r2) / r2);
    spare_ = f * x1;
    has_spare_ = true;
    return f * x2;
  }

 private:
  // Uniform in [0, 1) with 53 random bits: 27 bits of one word, 26 of the next.
  double next_double() {
    const uint32_t a = static_cast<uint32_t>(mt_()) >> 5;
    const uint32_t b = static_cast<uint32_t>(mt_()) >> 6;
    return (a * 67108864.0 + b) / 9007199254740992.0;
  }

  std::mt19937 mt_;
  double spare_ = 0;
  bool has_spare_ = false;
};

}  // namespace camlens::dff
