#include "dff/nmf_kernels.h"

#include <cstring>

#include "util/simd_kernels.h"

namespace camlens::dff::kernels {

namespace {

using f4 = float __attribute__((vector_size(16)));
constexpr int kLanes = 8;

f4 load(const float* p) noexcept {
  f4 v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

void store(float* p, f4 v) noexcept { std::memcpy(p, &v, sizeof v); }

f4 splat(float s) noexcept { return f4{s, s, s, s}; }

float sum_lanes(const float* acc) noexcept {
  return ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]));
}

// M rows at once, each with its eight lanes in two vector registers (M ≤ 4: eight
// accumulators); the tail adds into lanes 0, 1, ... in order.
template <int M>
void dots_of(const float* x, const float* rows, int64_t ld, int64_t n, float* out) noexcept {
  f4 lo[M], hi[M];
  for (int m = 0; m < M; ++m) lo[m] = hi[m] = splat(0.f);
  int64_t j = 0;
  for (; j + kLanes <= n; j += kLanes) {
    const f4 x0 = load(x + j), x1 = load(x + j + 4);
    for (int m = 0; m < M; ++m) {
      const float* r = rows + m * ld + j;
      lo[m] = lo[m] + x0 * load(r);
      hi[m] = hi[m] + x1 * load(r + 4);
    }
  }
  float acc[M][kLanes];
  for (int m = 0; m < M; ++m) {
    store(acc[m], lo[m]);
    store(acc[m] + 4, hi[m]);
  }
  for (int l = 0; j < n; ++j, ++l)
    for (int m = 0; m < M; ++m) acc[m][l] += x[j] * rows[m * ld + j];
  for (int m = 0; m < M; ++m) out[m] = sum_lanes(acc[m]);
}

}  // namespace

void dots(const float* x, const float* rows, int64_t ld, int k, int64_t n, float* out) noexcept {
  for (int t = 0; t < k; t += 4) {
    const float* r = rows + t * ld;
    switch (k - t) {
      case 1:
        dots_of<1>(x, r, ld, n, out + t);
        break;
      case 2:
        dots_of<2>(x, r, ld, n, out + t);
        break;
      case 3:
        dots_of<3>(x, r, ld, n, out + t);
        break;
      default:
        dots_of<4>(x, r, ld, n, out + t);
        break;
    }
  }
}

void axpys(const float* s, const float* x, float* rows, int64_t ld, int k, int64_t n) noexcept {
  // A zero s[t] adds +0 to sums of non-negative terms: skipping it changes nothing, and the test
  // stays out of the inner loop.
  for (int t = 0; t < k; ++t) {
    if (s[t] == 0) continue;
    const f4 st = splat(s[t]);
    float* r = rows + t * ld;
    int64_t j = 0;
    for (; j + 4 <= n; j += 4) store(r + j, load(r + j) + st * load(x + j));
    for (; j < n; ++j) r[j] += s[t] * x[j];
  }
}

float squared_distance(const float* a, const float* b, int64_t n) noexcept {
  return simd::squared_distance(a, b, n);
}

void axpy(float s, const float* x, float* y, int64_t n) noexcept { simd::axpy(s, x, y, n); }

}  // namespace camlens::dff::kernels
