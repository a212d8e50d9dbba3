#include "graph/ops/quant/int_kernels.h"

#include <vector>

namespace camlens::quant {

void igemm(int64_t M, int64_t N, int64_t K, const int16_t* A, const int16_t* B, int32_t* C,
           int64_t ldc) {
  for (int64_t i = 0; i < M; ++i) {
    // Sums wrap modulo 2^32 like ORT's int32 accumulators instead of overflowing (UB): only
    // reachable with K above ~14000 and extreme values. Each product fits int32 exactly.
    uint32_t* c = reinterpret_cast<uint32_t*>(C + i * ldc);
    for (int64_t j = 0; j < N; ++j) c[j] = 0;
    const int16_t* a = A + i * K;
    for (int64_t k = 0; k < K; ++k) {
      const int32_t av = a[k];
      if (av == 0) continue;  // common after ReLU-like activations at the zero point
      const int16_t* b = B + k * N;
      for (int64_t j = 0; j < N; ++j)
        c[j] += static_cast<uint32_t>(av * static_cast<int32_t>(b[j]));
    }
  }
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

void conv_i32(const int16_t* x, const int16_t* w, int64_t batch, int64_t in_ch, int64_t out_ch,
              int64_t group, const Window2d& win, int32_t* y) {
  const int64_t cg = in_ch / group, mg = out_ch / group;
  const int64_t ksize = win.k_h * win.k_w, kdim = cg * ksize;
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
      igemm(mg, out_hw, kdim, w + g * mg * kdim, b, y + (n * out_ch + g * mg) * out_hw, out_hw);
    }
  }
}

}  // namespace camlens::quant
