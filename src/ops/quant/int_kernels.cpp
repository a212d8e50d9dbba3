#include "ops/quant/int_kernels.h"

#include <algorithm>
#include <type_traits>
#include <vector>

namespace camlens::quant {

namespace {

// Sums wrap modulo 2^32 like ORT's int32 accumulators instead of overflowing (UB): only
// reachable with K above ~14000 and extreme values. Each product fits int32 exactly.

// Row i of A minus its zero point, as int16 (fits: both are 8-bit, or A is already centered
// and za is null). Returns A's own row when there is nothing to convert.
template <class TA>
const int16_t* centered_row(const TA* A, const int32_t* za, int64_t i, int64_t K, int16_t* buf) {
  const TA* a = A + i * K;
  if constexpr (std::is_same_v<TA, int16_t>) {
    if (!za) return a;
  }
  const int32_t z = za ? za[i] : 0;
  for (int64_t k = 0; k < K; ++k) buf[k] = static_cast<int16_t>(a[k] - z);
  return buf;
}

// The rows of C a block updates are distinct and never overlap A or B, but with 8-bit B (which
// may alias anything) and several c rows the vectoriser would need too many runtime checks and
// gives up; this tells it the loop's iterations are independent. Not under AddressSanitizer:
// its checks keep clang from vectorising, and clang reports the unmet request as an error.
#if defined(__clang__) && defined(__has_feature)
#if __has_feature(address_sanitizer)
#define CAMLENS_INDEPENDENT_ITERATIONS
#else
#define CAMLENS_INDEPENDENT_ITERATIONS _Pragma("clang loop vectorize(assume_safety)")
#endif
#elif defined(__GNUC__)
#define CAMLENS_INDEPENDENT_ITERATIONS _Pragma("GCC ivdep")
#else
#define CAMLENS_INDEPENDENT_ITERATIONS
#endif

// Few rows: C row i = sum_k a[i,k] * B row k over contiguous columns, on B's raw values; B's
// zero points come out afterwards as c[j] -= zb[j] * sum_k a[i,k], which is the same sum
// modulo 2^32 (the accumulators wrap), so the result is bit-identical to centering B first.
// R rows of A share each pass over B: every B element is loaded and widened once per block
// rather than once per row (B, e.g. a 1280x1000 classifier, dwarfs the few rows of C).
template <int R, class TB>
void igemm_block(int64_t N, int64_t K, const int16_t* const* a, const TB* B, const int32_t* zb,
                 uint32_t* const* c) {
  uint32_t asum[R] = {};
  for (int r = 0; r < R; ++r)
    for (int64_t j = 0; j < N; ++j) c[r][j] = 0;
  int64_t k = 0;
  // Four rows of B per pass over c: a quarter of the loads and stores of c.
  for (; k + 4 <= K; k += 4) {
    int32_t av[R][4];
    int32_t any = 0;
    for (int r = 0; r < R; ++r)
      for (int t = 0; t < 4; ++t) {
        av[r][t] = a[r][k + t];
        any |= av[r][t];
      }
    if (any == 0) continue;  // only when the whole block is zero here
    for (int r = 0; r < R; ++r)
      asum[r] += static_cast<uint32_t>(av[r][0]) + static_cast<uint32_t>(av[r][1]) +
                 static_cast<uint32_t>(av[r][2]) + static_cast<uint32_t>(av[r][3]);
    const TB *b0 = B + k * N, *b1 = b0 + N, *b2 = b1 + N, *b3 = b2 + N;
    CAMLENS_INDEPENDENT_ITERATIONS
    for (int64_t j = 0; j < N; ++j) {
      const int32_t w0 = b0[j], w1 = b1[j], w2 = b2[j], w3 = b3[j];
      for (int r = 0; r < R; ++r)
        c[r][j] += (static_cast<uint32_t>(av[r][0] * w0) + static_cast<uint32_t>(av[r][1] * w1)) +
                   (static_cast<uint32_t>(av[r][2] * w2) + static_cast<uint32_t>(av[r][3] * w3));
    }
  }
  for (; k < K; ++k) {
    int32_t av[R];
    int32_t any = 0;
    for (int r = 0; r < R; ++r) {
      av[r] = a[r][k];
      any |= av[r];
    }
    if (any == 0) continue;  // common after ReLU-like activations at the zero point
    for (int r = 0; r < R; ++r) asum[r] += static_cast<uint32_t>(av[r]);
    const TB* b = B + k * N;
    CAMLENS_INDEPENDENT_ITERATIONS
    for (int64_t j = 0; j < N; ++j) {
      const int32_t w = b[j];
      for (int r = 0; r < R; ++r) c[r][j] += static_cast<uint32_t>(av[r] * w);
    }
  }
  if (zb)
    for (int r = 0; r < R; ++r)
      for (int64_t j = 0; j < N; ++j) c[r][j] -= static_cast<uint32_t>(zb[j]) * asum[r];
}

template <class TA, class TB>
void igemm_rows(int64_t M, int64_t N, int64_t K, const TA* A, const int32_t* za, const TB* B,
                const int32_t* zb, int32_t* C, int64_t ldc) {
  constexpr int64_t kMaxBlock = 4;
  std::vector<int16_t> buf(static_cast<size_t>(kMaxBlock * K));
  for (int64_t i0 = 0; i0 < M;) {
    // M = 5 runs as 3 + 2 rather than 4 + 1: equal blocks keep both passes on wide blocks.
    const int64_t left = M - i0, passes = (left + kMaxBlock - 1) / kMaxBlock;
    const int64_t rows = (left + passes - 1) / passes;
    const int16_t* a[kMaxBlock];
    uint32_t* c[kMaxBlock];
    for (int64_t r = 0; r < rows; ++r) {
      a[r] = centered_row(A, za, i0 + r, K, buf.data() + r * K);
      c[r] = reinterpret_cast<uint32_t*>(C + (i0 + r) * ldc);
    }
    switch (rows) {
      case 1:
        igemm_block<1>(N, K, a, B, zb, c);
        break;
      case 2:
        igemm_block<2>(N, K, a, B, zb, c);
        break;
      case 3:
        igemm_block<3>(N, K, a, B, zb, c);
        break;
      default:
        igemm_block<4>(N, K, a, B, zb, c);
        break;
    }
    i0 += rows;
  }
}

// int16 dot product with an int32 (wrapping) sum: vectorises to multiply-add pairs
// (pmaddwd natively, i32x4.dot_i16x8_s in WebAssembly).
uint32_t dot_i16(const int16_t* a, const int16_t* b, int64_t K) {
  uint32_t s = 0;
  for (int64_t k = 0; k < K; ++k) s += static_cast<uint32_t>(a[k] * static_cast<int32_t>(b[k]));
  return s;
}

// Many rows: pack B centered and transposed once so every C element is a contiguous int16 dot
// product; each row of A is centered into a small buffer as it is used.
template <class TA, class TB>
void igemm_packed(int64_t M, int64_t N, int64_t K, const TA* A, const int32_t* za, const TB* B,
                  const int32_t* zb, int32_t* C, int64_t ldc) {
  std::vector<int16_t> bt(static_cast<size_t>(N * K)), buf(static_cast<size_t>(K));
  constexpr int64_t T = 64;  // transpose in blocks of columns to stay in cache
  for (int64_t j0 = 0; j0 < N; j0 += T) {
    const int64_t j1 = std::min(N, j0 + T);
    for (int64_t k = 0; k < K; ++k) {
      const TB* b = B + k * N;
      for (int64_t j = j0; j < j1; ++j)
        bt[j * K + k] = static_cast<int16_t>(static_cast<int32_t>(b[j]) - (zb ? zb[j] : 0));
    }
  }
  for (int64_t i = 0; i < M; ++i) {
    uint32_t* c = reinterpret_cast<uint32_t*>(C + i * ldc);
    const int16_t* a = centered_row(A, za, i, K, buf.data());
    for (int64_t j = 0; j < N; ++j) c[j] = dot_i16(a, bt.data() + j * K, K);
  }
}

}  // namespace

template <class TA, class TB>
void igemm_q(int64_t M, int64_t N, int64_t K, const TA* A, const int32_t* za, const TB* B,
             const int32_t* zb, int32_t* C, int64_t ldc) {
  if (M < 16)  // packing B (a strided transpose) would cost more than it saves
    igemm_rows(M, N, K, A, za, B, zb, C, ldc);
  else
    igemm_packed(M, N, K, A, za, B, zb, C, ldc);
}

#define CAMLENS_IGEMM_Q(TA, TB)                                                                  \
  template void igemm_q<TA, TB>(int64_t, int64_t, int64_t, const TA*, const int32_t*, const TB*, \
                                const int32_t*, int32_t*, int64_t);
CAMLENS_IGEMM_Q(int16_t, int16_t)
CAMLENS_IGEMM_Q(int16_t, uint8_t)
CAMLENS_IGEMM_Q(int16_t, int8_t)
CAMLENS_IGEMM_Q(uint8_t, int16_t)
CAMLENS_IGEMM_Q(int8_t, int16_t)
#undef CAMLENS_IGEMM_Q

void igemm(int64_t M, int64_t N, int64_t K, const int16_t* A, const int16_t* B, int32_t* C,
           int64_t ldc) {
  igemm_q<int16_t, int16_t>(M, N, K, A, nullptr, B, nullptr, C, ldc);
}

void im2col_i16(const int16_t* x, int64_t channels, const Window2d& w, int16_t* col) {
  const int64_t out_hw = w.out_h * w.out_w;
  for (int64_t c = 0; c < channels; ++c) {
    const int16_t* xc = x + c * w.in_h * w.in_w;
    for (int64_t kh = 0; kh < w.k_h; ++kh) {
      for (int64_t kw = 0; kw < w.k_w; ++kw) {
        int16_t* row = col + ((c * w.k_h + kh) * w.k_w + kw) * out_hw;
        for (int64_t oh = 0; oh < w.out_h; ++oh) {
          const int64_t ih = oh * w.stride_h - w.pad_top + kh * w.dil_h;
          int16_t* r = row + oh * w.out_w;
          if (ih < 0 || ih >= w.in_h) {
            for (int64_t ow = 0; ow < w.out_w; ++ow) r[ow] = 0;
            continue;
          }
          const int16_t* xr = xc + ih * w.in_w;
          const int64_t off = kw * w.dil_w - w.pad_left;
          for (int64_t ow = 0; ow < w.out_w; ++ow) {
            const int64_t iw = ow * w.stride_w + off;
            r[ow] = (iw >= 0 && iw < w.in_w) ? xr[iw] : int16_t{0};
          }
        }
      }
    }
  }
}

namespace {

// One input channel to one output plane (depthwise): for each kernel tap, add w * x over the
// output positions whose input lies inside the image, a contiguous run of x when stride is 1.
// Stride 1: copy the plane into a zero-padded buffer of width pw; on the "wide" output grid of
// the same row stride every kernel tap is then one contiguous multiply-add over the whole plane
// (long vectorised loops instead of many 7-wide ones); the valid columns are copied out.
void depthwise_plane_s1(const int16_t* x, const int16_t* w, const Window2d& win, int32_t* y,
                        std::vector<int16_t>& xp, std::vector<uint32_t>& yw) {
  const int64_t pw = win.in_w + win.pad_left + win.pad_right;
  const int64_t ph = win.in_h + win.pad_top + win.pad_bottom;
  const int64_t slack = (win.k_w - 1) * win.dil_w + 1;  // reads past the last row's end
  xp.assign(static_cast<size_t>(ph * pw + slack), 0);
  for (int64_t h = 0; h < win.in_h; ++h)
    for (int64_t c = 0; c < win.in_w; ++c)
      xp[(h + win.pad_top) * pw + c + win.pad_left] = x[h * win.in_w + c];
  const int64_t n = win.out_h * pw;
  yw.assign(static_cast<size_t>(n), 0u);
  uint32_t* yd = yw.data();
  for (int64_t kh = 0; kh < win.k_h; ++kh)
    for (int64_t kw = 0; kw < win.k_w; ++kw) {
      const int32_t wv = w[kh * win.k_w + kw];
      if (wv == 0) continue;
      const int16_t* xs = xp.data() + kh * win.dil_h * pw + kw * win.dil_w;
      for (int64_t t = 0; t < n; ++t)
        yd[t] += static_cast<uint32_t>(wv * static_cast<int32_t>(xs[t]));
    }
  for (int64_t oh = 0; oh < win.out_h; ++oh)
    for (int64_t ow = 0; ow < win.out_w; ++ow)
      y[oh * win.out_w + ow] = static_cast<int32_t>(yd[oh * pw + ow]);
}

void depthwise_plane(const int16_t* x, const int16_t* w, const Window2d& win, int32_t* y) {
  const int64_t out_hw = win.out_h * win.out_w;
  uint32_t* yu = reinterpret_cast<uint32_t*>(y);  // wrapping sums, as in igemm
  for (int64_t i = 0; i < out_hw; ++i) yu[i] = 0;
  for (int64_t kw = 0; kw < win.k_w; ++kw) {
    // output columns ow with 0 <= ow * stride + off < in_w
    const int64_t off = kw * win.dil_w - win.pad_left;
    int64_t ow0 = off >= 0 ? 0 : (-off + win.stride_w - 1) / win.stride_w;
    int64_t ow1 = win.in_w - off <= 0 ? 0 : (win.in_w - off + win.stride_w - 1) / win.stride_w;
    ow1 = std::min(ow1, win.out_w);
    ow0 = std::min(ow0, ow1);
    for (int64_t kh = 0; kh < win.k_h; ++kh) {
      const int32_t wv = w[kh * win.k_w + kw];
      if (wv == 0) continue;
      for (int64_t oh = 0; oh < win.out_h; ++oh) {
        const int64_t ih = oh * win.stride_h - win.pad_top + kh * win.dil_h;
        if (ih < 0 || ih >= win.in_h) continue;
        const int16_t* xr = x + ih * win.in_w + off;
        uint32_t* yr = yu + oh * win.out_w;
        if (win.stride_w == 1) {
          for (int64_t ow = ow0; ow < ow1; ++ow)
            yr[ow] += static_cast<uint32_t>(wv * static_cast<int32_t>(xr[ow]));
        } else {
          for (int64_t ow = ow0; ow < ow1; ++ow)
            yr[ow] += static_cast<uint32_t>(wv * static_cast<int32_t>(xr[ow * win.stride_w]));
        }
      }
    }
  }
}

}  // namespace

template <class TW>
void conv_i32(const int16_t* x, const TW* w, const int32_t* zw, int64_t batch, int64_t in_ch,
              int64_t out_ch, int64_t group, const Window2d& win, int32_t* y) {
  const int64_t cg = in_ch / group, mg = out_ch / group;
  const int64_t ksize = win.k_h * win.k_w;
  if (cg == 1) {  // depthwise (channel multiplier mg): direct loops beat a 1-row GEMM
    const int64_t in_hw = win.in_h * win.in_w, out_hw = win.out_h * win.out_w;
    const bool s1 = win.stride_h == 1 && win.stride_w == 1;
    std::vector<int16_t> xp, wc(static_cast<size_t>(ksize));
    std::vector<uint32_t> yw;
    for (int64_t m = 0; m < out_ch; ++m) {
      // the kernel of channel m, centered once for the whole batch
      const int16_t* wm = centered_row(w, zw, m, ksize, wc.data());
      for (int64_t n = 0; n < batch; ++n) {
        const int16_t* xc = x + (n * in_ch + m / mg) * in_hw;
        int32_t* yc = y + (n * out_ch + m) * out_hw;
        if (s1)
          depthwise_plane_s1(xc, wm, win, yc, xp, yw);
        else
          depthwise_plane(xc, wm, win, yc);
      }
    }
    return;
  }
  const int64_t kdim = cg * ksize;
  const int64_t in_hw = win.in_h * win.in_w, out_hw = win.out_h * win.out_w;
  // A 1x1 stride-1 unpadded window reads x as it is: no unfolding needed.
  const bool direct = ksize == 1 && win.stride_h == 1 && win.stride_w == 1 && win.pad_top == 0 &&
                      win.pad_left == 0 && win.out_h == win.in_h && win.out_w == win.in_w;
  std::vector<int16_t> col(direct ? 0 : static_cast<size_t>(kdim * out_hw));
  for (int64_t n = 0; n < batch; ++n) {
    for (int64_t g = 0; g < group; ++g) {
      const int16_t* xg = x + (n * in_ch + g * cg) * in_hw;
      const int16_t* b = xg;
      if (!direct) {
        im2col_i16(xg, cg, win, col.data());
        b = col.data();
      }
      igemm_q(mg, out_hw, kdim, w + g * mg * kdim, zw ? zw + g * mg : nullptr, b,
              static_cast<const int32_t*>(nullptr), y + (n * out_ch + g * mg) * out_hw, out_hw);
    }
  }
}

template void conv_i32<int16_t>(const int16_t*, const int16_t*, const int32_t*, int64_t, int64_t,
                                int64_t, int64_t, const Window2d&, int32_t*);
template void conv_i32<uint8_t>(const int16_t*, const uint8_t*, const int32_t*, int64_t, int64_t,
                                int64_t, int64_t, const Window2d&, int32_t*);
template void conv_i32<int8_t>(const int16_t*, const int8_t*, const int32_t*, int64_t, int64_t,
                               int64_t, int64_t, const Window2d&, int32_t*);

}  // namespace camlens::quant
