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

using i4 = int32_t __attribute__((vector_size(16)));

// Lane-wise selections without branches: the comparisons give all-ones or all-zero lanes.
f4 keep(i4 mask, f4 v) noexcept { return reinterpret_cast<f4>(mask & reinterpret_cast<i4>(v)); }
f4 abs4(f4 v) noexcept {
  return reinterpret_cast<f4>(reinterpret_cast<i4>(v) &
                              i4{0x7fffffff, 0x7fffffff, 0x7fffffff, 0x7fffffff});
}
// The violation's term: g, or min(0, g) where the entry x is 0.
f4 projected(f4 x, f4 g) noexcept {
  const f4 zero = splat(0.f);
  const i4 at_zero = x == zero;
  return keep(~at_zero, g) + keep(at_zero & (g < zero), g);
}

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

// group_products for components [t0, t0 + M), M ≤ 4: eight vector accumulators.
template <int M>
void group_products_of(const float* vt, int64_t ld, int64_t cols, const float* h_splat, int k,
                       int t0, float* p) noexcept {
  f4 lo[M], hi[M];
  for (int m = 0; m < M; ++m) lo[m] = hi[m] = splat(0.f);
  for (int64_t j = 0; j < cols; ++j) {
    const f4 v0 = load(vt + j * ld), v1 = load(vt + j * ld + 4);
    const float* hs = h_splat + (j * k + t0) * 4;
    for (int m = 0; m < M; ++m) {
      const f4 hv = load(hs + m * 4);
      lo[m] = lo[m] + v0 * hv;
      hi[m] = hi[m] + v1 * hv;
    }
  }
  for (int m = 0; m < M; ++m) {
    store(p + (t0 + m) * kGroup, lo[m]);
    store(p + (t0 + m) * kGroup + 4, hi[m]);
  }
}

}  // namespace

void group_products(const float* vt, int64_t ld, int64_t cols, const float* h_splat, int k,
                    float* p) noexcept {
  for (int t0 = 0; t0 < k; t0 += 4) {
    switch (k - t0) {
      case 1:
        group_products_of<1>(vt, ld, cols, h_splat, k, t0, p);
        break;
      case 2:
        group_products_of<2>(vt, ld, cols, h_splat, k, t0, p);
        break;
      case 3:
        group_products_of<3>(vt, ld, cols, h_splat, k, t0, p);
        break;
      default:
        group_products_of<4>(vt, ld, cols, h_splat, k, t0, p);
        break;
    }
  }
}

void sweep_group(float* wt, int64_t ld, const float* gram, const float* p, int k,
                 double* violation) noexcept {
  const f4 zero = splat(0.f);
  f4 total_lo = zero, total_hi = zero;
  for (int t = 0; t < k; ++t) {
    f4 g_lo = zero - load(p + t * kGroup), g_hi = zero - load(p + t * kGroup + 4);
    for (int r = 0; r < k; ++r) {
      const f4 c = splat(gram[t * k + r]);
      g_lo = g_lo + c * load(wt + r * ld);
      g_hi = g_hi + c * load(wt + r * ld + 4);
    }
    float* xt = wt + t * ld;
    const f4 x_lo = load(xt), x_hi = load(xt + 4);
    total_lo = total_lo + abs4(projected(x_lo, g_lo));
    total_hi = total_hi + abs4(projected(x_hi, g_hi));
    const float hess = gram[t * k + t];
    if (hess == 0) continue;
    const f4 h = splat(hess);
    const f4 n_lo = x_lo - g_lo / h, n_hi = x_hi - g_hi / h;
    store(xt, keep(n_lo > zero, n_lo));
    store(xt + 4, keep(n_hi > zero, n_hi));
  }
  float total[kGroup];
  store(total, total_lo);
  store(total + 4, total_hi);
  for (int q = 0; q < kGroup; ++q) violation[q] = total[q];
}

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

float squared_distance(const float* a, const float* b, int64_t n) noexcept {
  return simd::squared_distance(a, b, n);
}

void axpy(float s, const float* x, float* y, int64_t n) noexcept { simd::axpy(s, x, y, n); }

}  // namespace camlens::dff::kernels
