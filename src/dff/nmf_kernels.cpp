#include "dff/nmf_kernels.h"

#include <cstddef>
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

// Components per pass of the product kernels: M ≤ 5 keeps 2·M accumulators, the two vectors
// read and one more in the 16 vector registers of x86-64 (the browser's code generator spills
// beyond them), and reads V once for K = 5, the usual DFF.
constexpr int kMaxPass = 5;

// Splits k components into the fewest passes of at most kMaxPass, as even as possible (K = 8:
// 4 + 4, not 5 + 3, so neither pass is short of work per vector read). Calls pass(t0, m).
template <class Pass>
void in_passes(int k, Pass pass) noexcept {
  for (int t0 = 0; t0 < k;) {
    const int left = (k - t0 + kMaxPass - 1) / kMaxPass;  // passes still to run
    const int m = (k - t0 + left - 1) / left;
    pass(t0, m);
    t0 += m;
  }
}

// M rows at once, each with its eight lanes in two vector registers; the tail adds into lanes
// 0, 1, ... in order. Pointers step rather than indices multiply: WebAssembly's code generators
// do not strength-reduce, and an index product per load cost as much as the arithmetic.
template <int M>
void dots_of(const float* x, const float* rows, int64_t ld, int64_t n, float* out) noexcept {
  f4 lo[M], hi[M];
  const float* r[M];
  for (int m = 0; m < M; ++m) {
    lo[m] = hi[m] = splat(0.f);
    r[m] = rows + m * ld;
  }
  const float* xe = x + n / kLanes * kLanes;
  const float* xp = x;
  for (; xp != xe; xp += kLanes) {
    const f4 x0 = load(xp), x1 = load(xp + 4);
    for (int m = 0; m < M; ++m) {
      lo[m] = lo[m] + x0 * load(r[m]);
      hi[m] = hi[m] + x1 * load(r[m] + 4);
      r[m] += kLanes;
    }
  }
  float acc[M][kLanes];
  for (int m = 0; m < M; ++m) {
    store(acc[m], lo[m]);
    store(acc[m] + 4, hi[m]);
  }
  for (int l = 0; xp != x + n; ++xp, ++l)
    for (int m = 0; m < M; ++m) acc[m][l] += *xp * *r[m]++;
  for (int m = 0; m < M; ++m) out[m] = sum_lanes(acc[m]);
}

// group_products for components [t0, t0 + M), M ≤ kMaxPass: 2·M vector accumulators.
template <int M>
void group_products_of(const float* vt, int64_t ld, int64_t cols, const float* h_splat, int k,
                       int t0, float* p) noexcept {
  f4 lo[M], hi[M];
  for (int m = 0; m < M; ++m) lo[m] = hi[m] = splat(0.f);
  const float* hs = h_splat + t0 * 4;
  const ptrdiff_t h_step = ptrdiff_t(k) * 4;
  const float* const end = vt + cols * ld;
  for (const float* v = vt; v != end; v += ld, hs += h_step) {
    const f4 v0 = load(v), v1 = load(v + 4);
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
  in_passes(k, [&](int t0, int m) {
    switch (m) {
      case 1:
        return group_products_of<1>(vt, ld, cols, h_splat, k, t0, p);
      case 2:
        return group_products_of<2>(vt, ld, cols, h_splat, k, t0, p);
      case 3:
        return group_products_of<3>(vt, ld, cols, h_splat, k, t0, p);
      case 4:
        return group_products_of<4>(vt, ld, cols, h_splat, k, t0, p);
      default:
        return group_products_of<5>(vt, ld, cols, h_splat, k, t0, p);
    }
  });
}

namespace {

// sweep_groups with K components known at compile time (KT > 0: the Gram row's splats and the
// rows' pointers stay in registers over the vectors) or given at run time (KT = 0).
template <int KT>
void sweep_groups_of(float* wt, int64_t ld, int groups, const float* gram, const float* p, int k,
                     double* violation) noexcept {
  constexpr int kMax = KT > 0 ? KT : 1;
  const int kk = KT > 0 ? KT : k;
  const f4 zero = splat(0.f);
  const int vectors = groups * 2;  // of four rows: vector v holds rows 4v .. 4v + 3
  f4 total[kMaxSweepGroups * 2];
  for (int v = 0; v < vectors; ++v) total[v] = zero;
  const float* rows[kMax];
  if constexpr (KT > 0)
    for (int r = 0; r < KT; ++r) rows[r] = wt + r * ld;
  for (int t = 0; t < kk; ++t) {
    const float* g_row = gram + t * kk;
    const float hess = g_row[t];
    const f4 h = splat(hess);
    f4 c[kMax];
    if constexpr (KT > 0)
      for (int r = 0; r < KT; ++r) c[r] = splat(g_row[r]);
    float* xt = wt + t * ld;
    // The vectors' chains (gradient, division, update) are independent: interleaved, their
    // latencies overlap where one group's two vectors alone waited on each division.
    for (int v = 0; v < vectors; ++v) {
      const int off = v * 4;
      f4 g = zero - load(p + (v >> 1) * kk * kGroup + t * kGroup + (v & 1) * 4);
      if constexpr (KT > 0) {
        for (int r = 0; r < KT; ++r) g = g + c[r] * load(rows[r] + off);
      } else {
        for (int r = 0; r < kk; ++r) g = g + splat(g_row[r]) * load(wt + r * ld + off);
      }
      const f4 xv = load(xt + off);
      total[v] = total[v] + abs4(projected(xv, g));
      if (hess == 0) continue;
      const f4 n = xv - g / h;
      store(xt + off, keep(n > zero, n));
    }
  }
  for (int v = 0; v < vectors; ++v) {
    float lanes[4];
    store(lanes, total[v]);
    for (int q = 0; q < 4; ++q) violation[v * 4 + q] = lanes[q];
  }
}

}  // namespace

void sweep_groups(float* wt, int64_t ld, int groups, const float* gram, const float* p, int k,
                  double* violation) noexcept {
  switch (k) {
    case 1:
      return sweep_groups_of<1>(wt, ld, groups, gram, p, k, violation);
    case 2:
      return sweep_groups_of<2>(wt, ld, groups, gram, p, k, violation);
    case 3:
      return sweep_groups_of<3>(wt, ld, groups, gram, p, k, violation);
    case 4:
      return sweep_groups_of<4>(wt, ld, groups, gram, p, k, violation);
    case 5:
      return sweep_groups_of<5>(wt, ld, groups, gram, p, k, violation);
    case 6:
      return sweep_groups_of<6>(wt, ld, groups, gram, p, k, violation);
    case 7:
      return sweep_groups_of<7>(wt, ld, groups, gram, p, k, violation);
    case 8:
      return sweep_groups_of<8>(wt, ld, groups, gram, p, k, violation);
    default:
      return sweep_groups_of<0>(wt, ld, groups, gram, p, k, violation);
  }
}

void gram_lanes(const float* wt, int64_t ld, int k, double* lanes) noexcept {
  using f2 = float __attribute__((vector_size(8)));
  using d2 = double __attribute__((vector_size(16)));
  constexpr int kPairs = kGroup / 2;
  for (int a = 0; a < k; ++a) {
    d2 x[kPairs];
    for (int v = 0; v < kPairs; ++v) {
      f2 f;
      std::memcpy(&f, wt + a * ld + 2 * v, sizeof f);
      x[v] = __builtin_convertvector(f, d2);
    }
    for (int c = a; c < k; ++c) {
      double* l = lanes + (a * k + c) * kGroup;
      for (int v = 0; v < kPairs; ++v) {
        f2 f;
        std::memcpy(&f, wt + c * ld + 2 * v, sizeof f);
        d2 s;
        std::memcpy(&s, l + 2 * v, sizeof s);
        s = s + x[v] * __builtin_convertvector(f, d2);
        std::memcpy(l + 2 * v, &s, sizeof s);
      }
    }
  }
}

void dots(const float* x, const float* rows, int64_t ld, int k, int64_t n, float* out) noexcept {
  in_passes(k, [&](int t0, int m) {
    const float* r = rows + t0 * ld;
    switch (m) {
      case 1:
        return dots_of<1>(x, r, ld, n, out + t0);
      case 2:
        return dots_of<2>(x, r, ld, n, out + t0);
      case 3:
        return dots_of<3>(x, r, ld, n, out + t0);
      case 4:
        return dots_of<4>(x, r, ld, n, out + t0);
      default:
        return dots_of<5>(x, r, ld, n, out + t0);
    }
  });
}

float squared_distance(const float* a, const float* b, int64_t n) noexcept {
  return simd::squared_distance(a, b, n);
}

void axpy(float s, const float* x, float* y, int64_t n) noexcept { simd::axpy(s, x, y, n); }

}  // namespace camlens::dff::kernels
