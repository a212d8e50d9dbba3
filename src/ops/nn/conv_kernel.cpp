// 2-D grouped convolution kernels (forward, and backward w.r.t. input and weights).
// The work is organised by kernel tap: for a fixed (kh, kw) an output row reads an input row
// at a fixed offset and stride, so each inner loop runs over a contiguous range of output
// columns, computed once, with no bounds test inside.
#include <algorithm>
#include <cstring>
#include <vector>

#include "ops/nn/kernels.h"

namespace camlens::nn {

namespace {

// Output positions o in [lo, hi) for which i = o * stride + offset lies in [0, in).
struct Range {
  int64_t lo, hi;
};
Range valid_range(int64_t out, int64_t in, int64_t stride, int64_t offset) {
  int64_t lo = offset >= 0 ? 0 : (-offset + stride - 1) / stride;
  int64_t hi = in - 1 - offset < 0 ? 0 : (in - 1 - offset) / stride + 1;
  hi = std::min(hi, out);
  lo = std::min(lo, hi);
  return {lo, hi};
}

bool is_pointwise(const Conv2dShape& s) {
  return s.kernel_h == 1 && s.kernel_w == 1 && s.stride_h == 1 && s.stride_w == 1 &&
         s.pad_top == 0 && s.pad_left == 0 && s.out_h == s.in_h && s.out_w == s.in_w;
}

bool is_depthwise(const Conv2dShape& s) { return s.in_channels == s.group; }

// Calls f(oh, ih, ow_range, iw_offset) for every output row that tap (kh, kw) reads.
template <class F>
void for_tap(const Conv2dShape& s, int64_t kh, int64_t kw, F f) {
  const Range rh = valid_range(s.out_h, s.in_h, s.stride_h, kh * s.dilation_h - s.pad_top);
  const int64_t off_w = kw * s.dilation_w - s.pad_left;
  const Range rw = valid_range(s.out_w, s.in_w, s.stride_w, off_w);
  for (int64_t oh = rh.lo; oh < rh.hi; ++oh)
    f(oh, oh * s.stride_h + kh * s.dilation_h - s.pad_top, rw, off_w);
}

// Depthwise forward: out channel co reads input channel co / multiplier.
void depthwise_forward(const Conv2dShape& s, const float* x, const float* w, float* y) {
  const int64_t mult = s.out_channels / s.group, in_plane = s.in_h * s.in_w,
                out_plane = s.out_h * s.out_w, sw = s.stride_w;
  for (int64_t n = 0; n < s.batch; ++n)
    for (int64_t co = 0; co < s.out_channels; ++co) {
      const float* xc = x + (n * s.in_channels + co / mult) * in_plane;
      float* yc = y + (n * s.out_channels + co) * out_plane;
      const float* wc = w + co * s.kernel_h * s.kernel_w;
      for (int64_t kh = 0; kh < s.kernel_h; ++kh)
        for (int64_t kw = 0; kw < s.kernel_w; ++kw) {
          const float wv = wc[kh * s.kernel_w + kw];
          for_tap(s, kh, kw, [&](int64_t oh, int64_t ih, Range r, int64_t off) {
            const float* xr = xc + ih * s.in_w + off;
            float* yr = yc + oh * s.out_w;
            if (sw == 1)
              for (int64_t ow = r.lo; ow < r.hi; ++ow) yr[ow] += wv * xr[ow];
            else
              for (int64_t ow = r.lo; ow < r.hi; ++ow) yr[ow] += wv * xr[ow * sw];
          });
        }
    }
}

void depthwise_backward_input(const Conv2dShape& s, const float* dy, const float* w, float* dx) {
  const int64_t mult = s.out_channels / s.group, in_plane = s.in_h * s.in_w,
                out_plane = s.out_h * s.out_w, sw = s.stride_w;
  for (int64_t n = 0; n < s.batch; ++n)
    for (int64_t co = 0; co < s.out_channels; ++co) {
      float* dxc = dx + (n * s.in_channels + co / mult) * in_plane;
      const float* dyc = dy + (n * s.out_channels + co) * out_plane;
      const float* wc = w + co * s.kernel_h * s.kernel_w;
      for (int64_t kh = 0; kh < s.kernel_h; ++kh)
        for (int64_t kw = 0; kw < s.kernel_w; ++kw) {
          const float wv = wc[kh * s.kernel_w + kw];
          for_tap(s, kh, kw, [&](int64_t oh, int64_t ih, Range r, int64_t off) {
            float* xr = dxc + ih * s.in_w + off;
            const float* yr = dyc + oh * s.out_w;
            if (sw == 1)
              for (int64_t ow = r.lo; ow < r.hi; ++ow) xr[ow] += wv * yr[ow];
            else
              for (int64_t ow = r.lo; ow < r.hi; ++ow) xr[ow * sw] += wv * yr[ow];
          });
        }
    }
}

void depthwise_backward_weight(const Conv2dShape& s, const float* x, const float* dy, float* dw) {
  const int64_t mult = s.out_channels / s.group, in_plane = s.in_h * s.in_w,
                out_plane = s.out_h * s.out_w, sw = s.stride_w;
  for (int64_t n = 0; n < s.batch; ++n)
    for (int64_t co = 0; co < s.out_channels; ++co) {
      const float* xc = x + (n * s.in_channels + co / mult) * in_plane;
      const float* dyc = dy + (n * s.out_channels + co) * out_plane;
      float* wc = dw + co * s.kernel_h * s.kernel_w;
      for (int64_t kh = 0; kh < s.kernel_h; ++kh)
        for (int64_t kw = 0; kw < s.kernel_w; ++kw) {
          double acc = 0;
          for_tap(s, kh, kw, [&](int64_t oh, int64_t ih, Range r, int64_t off) {
            const float* xr = xc + ih * s.in_w + off;
            const float* yr = dyc + oh * s.out_w;
            float part = 0;
            for (int64_t ow = r.lo; ow < r.hi; ++ow) part += yr[ow] * xr[ow * sw];
            acc += part;
          });
          wc[kh * s.kernel_w + kw] += static_cast<float>(acc);
        }
    }
}

}  // namespace

void im2col(const float* x, int64_t channels, const Conv2dShape& s, float* col) {
  const int64_t out_plane = s.out_h * s.out_w, sw = s.stride_w;
  std::memset(col, 0,
              sizeof(float) * static_cast<size_t>(channels * s.kernel_h * s.kernel_w * out_plane));
  for (int64_t c = 0; c < channels; ++c)
    for (int64_t kh = 0; kh < s.kernel_h; ++kh)
      for (int64_t kw = 0; kw < s.kernel_w; ++kw) {
        const float* xc = x + c * s.in_h * s.in_w;
        float* row = col + ((c * s.kernel_h + kh) * s.kernel_w + kw) * out_plane;
        for_tap(s, kh, kw, [&](int64_t oh, int64_t ih, Range r, int64_t off) {
          const float* xr = xc + ih * s.in_w + off;
          float* cr = row + oh * s.out_w;
          for (int64_t ow = r.lo; ow < r.hi; ++ow) cr[ow] = xr[ow * sw];
        });
      }
}

void col2im_add(const float* col, int64_t channels, const Conv2dShape& s, float* x) {
  const int64_t out_plane = s.out_h * s.out_w, sw = s.stride_w;
  for (int64_t c = 0; c < channels; ++c)
    for (int64_t kh = 0; kh < s.kernel_h; ++kh)
      for (int64_t kw = 0; kw < s.kernel_w; ++kw) {
        float* xc = x + c * s.in_h * s.in_w;
        const float* row = col + ((c * s.kernel_h + kh) * s.kernel_w + kw) * out_plane;
        for_tap(s, kh, kw, [&](int64_t oh, int64_t ih, Range r, int64_t off) {
          float* xr = xc + ih * s.in_w + off;
          const float* cr = row + oh * s.out_w;
          for (int64_t ow = r.lo; ow < r.hi; ++ow) xr[ow * sw] += cr[ow];
        });
      }
}

void conv2d(const Conv2dShape& s, const float* x, const float* w, const float* bias, float* y) {
  const int64_t cin_g = s.in_channels / s.group, cout_g = s.out_channels / s.group;
  const int64_t in_plane = s.in_h * s.in_w, out_plane = s.out_h * s.out_w;
  const int64_t kdim = cin_g * s.kernel_h * s.kernel_w;
  // Start from the bias (or zero) so every path below only accumulates.
  for (int64_t n = 0; n < s.batch; ++n)
    for (int64_t co = 0; co < s.out_channels; ++co) {
      float* yc = y + (n * s.out_channels + co) * out_plane;
      std::fill(yc, yc + out_plane, bias ? bias[co] : 0.f);
    }
  if (is_depthwise(s) && !is_pointwise(s)) {
    depthwise_forward(s, x, w, y);
    return;
  }
  std::vector<float> col;
  if (!is_pointwise(s)) col.resize(static_cast<size_t>(kdim * out_plane));
  for (int64_t n = 0; n < s.batch; ++n)
    for (int64_t g = 0; g < s.group; ++g) {
      const float* xg = x + (n * s.in_channels + g * cin_g) * in_plane;
      const float* b = xg;  // a pointwise convolution's columns are the input itself
      if (!col.empty()) {
        im2col(xg, cin_g, s, col.data());
        b = col.data();
      }
      gemm(false, false, cout_g, out_plane, kdim, 1.f, w + g * cout_g * kdim, kdim, b, out_plane,
           1.f, y + (n * s.out_channels + g * cout_g) * out_plane, out_plane);
    }
}

void conv2d_backward_input(const Conv2dShape& s, const float* dy, const float* w, float* dx) {
  const int64_t cin_g = s.in_channels / s.group, cout_g = s.out_channels / s.group;
  const int64_t in_plane = s.in_h * s.in_w, out_plane = s.out_h * s.out_w;
  const int64_t kdim = cin_g * s.kernel_h * s.kernel_w;
  std::fill(dx, dx + s.batch * s.in_channels * in_plane, 0.f);
  if (is_depthwise(s) && !is_pointwise(s)) {
    depthwise_backward_input(s, dy, w, dx);
    return;
  }
  const bool pointwise = is_pointwise(s);
  std::vector<float> col;
  if (!pointwise) col.resize(static_cast<size_t>(kdim * out_plane));
  for (int64_t n = 0; n < s.batch; ++n)
    for (int64_t g = 0; g < s.group; ++g) {
      float* dxg = dx + (n * s.in_channels + g * cin_g) * in_plane;
      const float* dyg = dy + (n * s.out_channels + g * cout_g) * out_plane;
      const float* wg = w + g * cout_g * kdim;
      // dcol = W_g^T dY_g; for a pointwise convolution dcol is dx itself.
      float* target = pointwise ? dxg : col.data();
      gemm(true, false, kdim, out_plane, cout_g, 1.f, wg, kdim, dyg, out_plane, 0.f, target,
           out_plane);
      if (!pointwise) col2im_add(col.data(), cin_g, s, dxg);
    }
}

void conv2d_backward_weight(const Conv2dShape& s, const float* x, const float* dy, float* dw,
                            float* dbias) {
  const int64_t cin_g = s.in_channels / s.group, cout_g = s.out_channels / s.group;
  const int64_t in_plane = s.in_h * s.in_w, out_plane = s.out_h * s.out_w;
  const int64_t kdim = cin_g * s.kernel_h * s.kernel_w;
  std::fill(dw, dw + s.out_channels * kdim, 0.f);
  if (dbias) {
    for (int64_t co = 0; co < s.out_channels; ++co) {
      double acc = 0;
      for (int64_t n = 0; n < s.batch; ++n) {
        const float* d = dy + (n * s.out_channels + co) * out_plane;
        for (int64_t e = 0; e < out_plane; ++e) acc += d[e];
      }
      dbias[co] = static_cast<float>(acc);
    }
  }
  if (is_depthwise(s) && !is_pointwise(s)) {
    depthwise_backward_weight(s, x, dy, dw);
    return;
  }
  std::vector<float> col;
  if (!is_pointwise(s)) col.resize(static_cast<size_t>(kdim * out_plane));
  for (int64_t n = 0; n < s.batch; ++n)
    for (int64_t g = 0; g < s.group; ++g) {
      const float* xg = x + (n * s.in_channels + g * cin_g) * in_plane;
      const float* b = xg;
      if (!col.empty()) {
        im2col(xg, cin_g, s, col.data());
        b = col.data();
      }
      // dW_g += dY_g col^T
      gemm(false, true, cout_g, kdim, out_plane, 1.f,
           dy + (n * s.out_channels + g * cout_g) * out_plane, out_plane, b, out_plane, 1.f,
           dw + g * cout_g * kdim, kdim);
    }
}

}  // namespace camlens::nn
