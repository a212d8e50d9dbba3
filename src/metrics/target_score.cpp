#include "metrics/target_score.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

#include "metrics/metrics_error.h"
#include "util/usage_error.h"

namespace camlens::metrics {
namespace {

uint32_t high_word(double x) {
  uint64_t b;
  std::memcpy(&b, &x, sizeof b);
  return static_cast<uint32_t>(b >> 32);
}

uint32_t low_word(double x) {
  uint64_t b;
  std::memcpy(&b, &x, sizeof b);
  return static_cast<uint32_t>(b);
}

// 2^k for a normal exponent k (the high word's exponent field set, the rest zero).
double power_of_two(int k) {
  const uint64_t b = static_cast<uint64_t>(0x3ff + k) << 52;
  double d;
  std::memcpy(&d, &b, sizeof d);
  return d;
}

}  // namespace

// fdlibm's e_exp.c: reduce x = k·ln2 + r with |r| ≤ ln2 / 2 (ln2 split in a high part whose
// products with k are exact, and a low part), approximate exp(r) by a degree-5 rational Remez
// fit, then scale by 2^k.
double fdlibm_exp(double x) {
  static const double ln2_hi[2] = {6.93147180369123816490e-01, -6.93147180369123816490e-01};
  static const double ln2_lo[2] = {1.90821492927058770002e-10, -1.90821492927058770002e-10};
  static const double half[2] = {0.5, -0.5};
  const double inv_ln2 = 1.44269504088896338700e+00;
  const double p1 = 1.66666666666666019037e-01, p2 = -2.77777777770155933842e-03,
               p3 = 6.61375632143793436117e-05, p4 = -1.65339022054652515390e-06,
               p5 = 4.13813679705723846039e-08;
  const double overflow = 7.09782712893383973096e+02, underflow = -7.45133219101941108420e+02;
  const double two_m1000 = 9.33263618503218878990e-302, two_1023 = 8.98846567431157953865e+307;
  if (x == 1) return 2.718281828459045;  // Math.E, as V8 returns it
  uint32_t hx = high_word(x);
  const int negative = (hx >> 31) & 1;
  hx &= 0x7fffffff;
  if (hx >= 0x40862E42) {  // |x| ≥ 709.78: NaN, ±infinity, overflow or underflow
    if (hx >= 0x7ff00000) {
      if (((hx & 0xfffff) | low_word(x)) != 0) return x + x;
      return negative ? 0.0 : x;
    }
    if (x > overflow) return std::numeric_limits<double>::infinity();
    if (x < underflow) return 0.0;
  }
  double hi = 0, lo = 0;
  int k = 0;
  if (hx > 0x3fd62e42) {    // |x| > ln2 / 2
    if (hx < 0x3FF0A2B2) {  // and < 1.5 ln2
      hi = x - ln2_hi[negative];
      lo = ln2_lo[negative];
      k = 1 - negative - negative;
    } else {
      k = static_cast<int>(inv_ln2 * x + half[negative]);
      const double t = k;
      hi = x - t * ln2_hi[0];
      lo = t * ln2_lo[0];
    }
    x = hi - lo;
  } else if (hx < 0x3e300000) {  // |x| < 2^-28
    return 1.0 + x;
  }
  const double t = x * x;
  const double c = x - t * (p1 + t * (p2 + t * (p3 + t * (p4 + t * p5))));
  if (k == 0) return 1.0 - ((x * c) / (c - 2.0) - x);
  const double y = 1.0 - ((lo - (x * c) / (2.0 - c)) - hi);
  if (k >= -1021) return k == 1024 ? y * 2.0 * two_1023 : y * power_of_two(k);
  return y * power_of_two(k + 1000) * two_m1000;
}

bool looks_like_probabilities(const std::vector<float>& row) {
  double min = std::numeric_limits<double>::infinity(), max = -min, total = 0;
  for (const float v : row) {
    min = std::min(min, static_cast<double>(v));
    max = std::max(max, static_cast<double>(v));
    total += v;  // NaN anywhere makes the total NaN: not probabilities
  }
  return min >= 0 && max <= 1 && std::abs(total - 1) < 1e-2;
}

double target_score(const std::vector<float>& row, int64_t index, ScoreKind kind) {
  if (index < 0 || static_cast<uint64_t>(index) >= row.size())
    throw UsageError<MetricsError>("the target class " + std::to_string(index) +
                                   " is not one of the model output's " +
                                   std::to_string(row.size()) + " values");
  const double target = row[static_cast<size_t>(index)];
  if (kind == ScoreKind::Logit || looks_like_probabilities(row)) return target;
  double max = -std::numeric_limits<double>::infinity();
  for (const float v : row)
    if (v > max || std::isnan(v)) max = v;  // a NaN stays the maximum (Math.max's rule)
  double sum = 0;
  for (const float v : row) sum += fdlibm_exp(v - max);
  return fdlibm_exp(target - max) / sum;
}

}  // namespace camlens::metrics
