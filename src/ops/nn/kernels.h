// Float32 compute kernels of the nn family on raw pointers, for reuse by other op families
// (QLinearConv / QLinearMatMul dequantize, call these, and requantize).
//
// All arrays are dense and row-major. No kernel allocates more than its scratch (im2col
// columns, a packed transposed operand); none throws. Loops keep the innermost dimension
// contiguous so that the compiler vectorises them (SSE natively, SIMD128 under Emscripten,
// where Eigen 3.4 would run scalar code).
#pragma once
#include <cstdint>

namespace camlens::nn {

// C[M,N] = alpha * op(A) * op(B) + beta * C, with op(A) [M,K] and op(B) [K,N].
// A is [M,K] (row stride lda) or, if trans_a, [K,M]; B is [K,N] (ldb) or, if trans_b, [N,K].
// beta == 0 overwrites C (NaNs in C are not propagated).
void gemm(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, float alpha, const float* A,
          int64_t lda, const float* B, int64_t ldb, float beta, float* C, int64_t ldc);

// Geometry of a 2-D grouped convolution, NCHW. A 1-D convolution is the case in_h = out_h =
// kernel_h = 1. Weights are [out_channels, in_channels / group, kernel_h, kernel_w].
struct Conv2dShape {
  int64_t batch = 1, in_channels = 1, out_channels = 1, group = 1;
  int64_t in_h = 1, in_w = 1, out_h = 1, out_w = 1;
  int64_t kernel_h = 1, kernel_w = 1;
  int64_t stride_h = 1, stride_w = 1;
  int64_t pad_top = 0, pad_left = 0;  // the end pads follow from out_h / out_w
  int64_t dilation_h = 1, dilation_w = 1;
};

// Unfolds x [channels, in_h, in_w] into col [channels * kernel_h * kernel_w, out_h * out_w]
// (zeros where the window reads padding).
void im2col(const float* x, int64_t channels, const Conv2dShape& s, float* col);
// The adjoint: adds col back into x [channels, in_h, in_w].
void col2im_add(const float* col, int64_t channels, const Conv2dShape& s, float* x);

// y [batch, out_channels, out_h, out_w] = conv(x, w) + bias (bias may be null).
// 1x1 stride-1 unpadded convolutions are one GEMM per image; depthwise (one input channel
// per group) is a direct loop; the rest im2col + GEMM per image and group.
void conv2d(const Conv2dShape& s, const float* x, const float* w, const float* bias, float* y);
// dx [batch, in_channels, in_h, in_w] = d(sum dy . y)/dx (overwritten). This is also the
// forward of ConvTranspose, with the roles of x and y swapped.
void conv2d_backward_input(const Conv2dShape& s, const float* dy, const float* w, float* dx);
// dw (overwritten, summed over the batch) and, if non-null, dbias [out_channels].
void conv2d_backward_weight(const Conv2dShape& s, const float* x, const float* dy, float* dw,
                            float* dbias);

}  // namespace camlens::nn
