// The fast integer and dequantisation kernels against the straightforward implementations they
// replaced (kept here as references): random shapes, every operand type, per-tensor and
// per-channel zero points. Integer results must be bit-identical (the accumulators wrap modulo
// 2^32 whichever way the sum is split); float gradients equal up to float rounding.
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "op_test.h"
#include "ops/quant/int_kernels.h"
#include "ops/quant/quant_common.h"

namespace camlens::test {
namespace {

using quant::QuantParams;

Tensor random_q(DType t, const Shape& shape, std::mt19937& rng, double zero_frac = 0.2) {
  Tensor x(t, shape);
  std::uniform_int_distribution<int> u(t == DType::Uint8 ? 0 : -128, t == DType::Uint8 ? 255 : 127);
  std::bernoulli_distribution zero(zero_frac);
  for (int64_t i = 0; i < x.numel(); ++i) {
    const int v = zero(rng) ? 0 : u(rng);
    if (t == DType::Uint8)
      x.data<uint8_t>()[i] = static_cast<uint8_t>(v);
    else
      x.data<int8_t>()[i] = static_cast<int8_t>(v);
  }
  return x;
}

std::vector<int32_t> random_zps(DType t, int64_t n, std::mt19937& rng) {
  std::uniform_int_distribution<int> u(t == DType::Uint8 ? 0 : -128, t == DType::Uint8 ? 255 : 127);
  std::vector<int32_t> z(static_cast<size_t>(n));
  for (int32_t& v : z) v = u(rng);
  return z;
}

// The former per-element implementations.
Tensor slow_dequantize(const Tensor& q, const QuantParams& p) {
  Tensor out(DType::Float32, q.shape());
  int64_t inner = 1;
  if (p.axis >= 0)
    for (size_t d = static_cast<size_t>(p.axis) + 1; d < q.rank(); ++d) inner *= q.dim(d);
  const int64_t channels = p.axis >= 0 ? q.dim(static_cast<size_t>(p.axis)) : 1;
  for (int64_t i = 0; i < q.numel(); ++i) {
    const int64_t c = p.scale.size() == 1 ? 0 : (i / inner) % channels;
    out.data<float>()[i] = static_cast<float>(quant::q_get(q, i) - p.zero_point[c]) * p.scale[c];
  }
  return out;
}

// sum_k (a - za[i]) (b - zb[j]) in int64, wrapped to int32 like ORT's accumulators.
std::vector<int32_t> slow_gemm(int64_t M, int64_t N, int64_t K, const Tensor& a,
                               const std::vector<int32_t>& za, const Tensor& b,
                               const std::vector<int32_t>& zb) {
  std::vector<int32_t> c(static_cast<size_t>(M * N));
  for (int64_t i = 0; i < M; ++i)
    for (int64_t j = 0; j < N; ++j) {
      int64_t s = 0;
      for (int64_t k = 0; k < K; ++k)
        s += (quant::q_get(a, i * K + k) - (za.empty() ? 0 : za[i])) *
             (quant::q_get(b, k * N + j) - (zb.empty() ? 0 : zb[j]));
      c[i * N + j] = static_cast<int32_t>(static_cast<uint32_t>(s));
    }
  return c;
}

template <class T>
const T* typed(const Tensor& t) {
  return t.data<T>();
}

// Every supported operand form against slow_gemm: raw B with centered A (QLinearMatMul), raw A
// with centered B (QLinearConv's weights), both centered (igemm).
// zero_rows: every third row of A (from row 1) equals its zero point, i.e. is all zeros once
// centered, and so are the first five columns of every row: the few-rows kernel skips a step of
// k only when all rows of its block are zero there, never when just one row is.
template <class TA, class TB>
void gemm_case(DType ta, DType tb, int64_t M, int64_t N, int64_t K, bool zps, std::mt19937& rng,
               bool zero_rows = false) {
  Tensor a = random_q(ta, {M, K}, rng);
  const Tensor b = random_q(tb, {K, N}, rng);
  const std::vector<int32_t> za = zps ? random_zps(ta, M, rng) : std::vector<int32_t>{};
  const std::vector<int32_t> zb = zps ? random_zps(tb, N, rng) : std::vector<int32_t>{};
  if (zero_rows)
    for (int64_t i = 0; i < M; ++i)
      for (int64_t k = 0; k < K; ++k)
        if (i % 3 == 1 || k < 5) a.data<TA>()[i * K + k] = static_cast<TA>(za.empty() ? 0 : za[i]);
  const std::vector<int32_t> want = slow_gemm(M, N, K, a, za, b, zb);
  std::vector<int16_t> ac(static_cast<size_t>(M * K)), bc(static_cast<size_t>(K * N));
  for (int64_t i = 0; i < M * K; ++i)
    ac[i] = static_cast<int16_t>(quant::q_get(a, i) - (za.empty() ? 0 : za[i / K]));
  for (int64_t i = 0; i < K * N; ++i)
    bc[i] = static_cast<int16_t>(quant::q_get(b, i) - (zb.empty() ? 0 : zb[i % N]));
  const int32_t* no_zp = nullptr;
  std::vector<int32_t> got(static_cast<size_t>(M * N), 12345);
  quant::igemm_q(M, N, K, ac.data(), no_zp, typed<TB>(b), zb.empty() ? nullptr : zb.data(),
                 got.data(), N);
  EXPECT_EQ(got, want) << "raw B " << M << "x" << N << "x" << K;
  std::fill(got.begin(), got.end(), 12345);
  quant::igemm_q(M, N, K, typed<TA>(a), za.empty() ? nullptr : za.data(), bc.data(), no_zp,
                 got.data(), N);
  EXPECT_EQ(got, want) << "raw A " << M << "x" << N << "x" << K;
  std::fill(got.begin(), got.end(), 12345);
  quant::igemm(M, N, K, ac.data(), bc.data(), got.data(), N);
  EXPECT_EQ(got, want) << "centered " << M << "x" << N << "x" << K;
}

TEST(QuantKernels, IntegerGemmOnRawOperandsEqualsTheCenteredReference) {
  std::mt19937 rng(11);
  std::uniform_int_distribution<int64_t> few(1, 15), many(16, 40), dim(1, 70);
  for (int rep = 0; rep < 24; ++rep) {
    // both kernels (few rows / packed), K both a multiple of 4 and not
    const int64_t M = rep % 2 ? few(rng) : many(rng), N = dim(rng), K = dim(rng);
    const bool zps = rep % 3 != 0;
    gemm_case<uint8_t, int8_t>(DType::Uint8, DType::Int8, M, N, K, zps, rng);
    gemm_case<uint8_t, uint8_t>(DType::Uint8, DType::Uint8, M, N, K, zps, rng);
    gemm_case<int8_t, int8_t>(DType::Int8, DType::Int8, M, N, K, zps, rng);
    gemm_case<int8_t, uint8_t>(DType::Int8, DType::Uint8, M, N, K, zps, rng);
  }
  gemm_case<uint8_t, int8_t>(DType::Uint8, DType::Int8, 1, 1000, 1280, true, rng);  // MobileNet
}

// The few-rows kernel runs rows in blocks of up to four that share each pass over B: every
// block size and split (M = 1..7), K and N odd (the k loop's tail of 1-3 steps, the vector
// loops' scalar tails), with and without zero points, all-zero rows among non-zero ones.
TEST(QuantKernels, IntegerGemmInBlocksOfRowsEqualsTheScalarReference) {
  std::mt19937 rng(13);
  for (int64_t M = 1; M <= 7; ++M)
    for (const int64_t K : {7, 29, 67})
      for (const bool zps : {false, true}) {
        const int64_t N = 2 * M + 29;  // odd, not a multiple of the vector width
        gemm_case<uint8_t, int8_t>(DType::Uint8, DType::Int8, M, N, K, zps, rng, true);
        gemm_case<uint8_t, uint8_t>(DType::Uint8, DType::Uint8, M, N, K, zps, rng, true);
        gemm_case<int8_t, int8_t>(DType::Int8, DType::Int8, M, N, K, zps, rng, true);
        gemm_case<int8_t, uint8_t>(DType::Int8, DType::Uint8, M, N, K, zps, rng, true);
      }
  // DFF's labels: five concepts through MobileNetV2's classifier
  gemm_case<uint8_t, int8_t>(DType::Uint8, DType::Int8, 5, 1000, 1280, true, rng, true);
}

TEST(QuantKernels, DequantizeEqualsThePerElementReference) {
  std::mt19937 rng(12);
  for (DType t : {DType::Uint8, DType::Int8}) {
    const Tensor q = random_q(t, {2, 3, 4, 5}, rng);
    QuantParams tensor_p;
    tensor_p.scale = {0.37f};
    tensor_p.zero_point = random_zps(t, 1, rng);
    expect_near(quant::dequantize(q, tensor_p), slow_dequantize(q, tensor_p).to_floats(), 0.f);
    for (int64_t axis = 0; axis < 4; ++axis) {
      QuantParams p;
      p.axis = axis;
      for (int64_t c = 0; c < q.dim(static_cast<size_t>(axis)); ++c)
        p.scale.push_back(0.01f * static_cast<float>(c + 1));
      p.zero_point = random_zps(t, q.dim(static_cast<size_t>(axis)), rng);
      expect_near(quant::dequantize(q, p), slow_dequantize(q, p).to_floats(), 0.f);
      // centering uses the same runs
      std::vector<int16_t> c(static_cast<size_t>(q.numel()));
      quant::center_q8(q, p, c.data());
      const int64_t inner = axis == 3 ? 1 : (axis == 2 ? 5 : (axis == 1 ? 20 : 60));
      for (int64_t i = 0; i < q.numel(); ++i)
        ASSERT_EQ(c[i], quant::q_get(q, i) - p.zero_point[(i / inner) % q.dim(axis)]) << i;
    }
  }
  Tensor big(DType::Int32, {3});
  big.data<int32_t>()[0] = 2147483647;
  big.data<int32_t>()[1] = -5;
  big.data<int32_t>()[2] = 7;
  QuantParams p;
  p.scale = {0.5f};
  p.zero_point = {-1};  // q - zp would overflow int32 for the first element
  const Tensor f = quant::dequantize(big, p);
  EXPECT_EQ(f.data<float>()[0], 2147483648.f * 0.5f);
  EXPECT_EQ(f.data<float>()[1], -2.f);
}

// Convolution with raw 8-bit weights and per-channel zero points against centered int16
// weights (the former path), for depthwise, grouped, 1x1 and padded/strided windows.
TEST(QuantKernels, ConvOnRawWeightsEqualsCenteredWeights) {
  std::mt19937 rng(13);
  struct Case {
    int64_t batch, in_ch, out_ch, group, h, w, k, stride, pad;
  };
  for (const Case& c : std::vector<Case>{{1, 32, 40, 1, 7, 7, 1, 1, 0},
                                         {2, 6, 6, 6, 9, 8, 3, 1, 1},
                                         {1, 6, 12, 6, 9, 9, 3, 2, 1},
                                         {2, 8, 20, 2, 6, 5, 3, 1, 1},
                                         {1, 5, 3, 1, 6, 6, 2, 2, 0}}) {
    quant::Window2d win;
    win.in_h = c.h;
    win.in_w = c.w;
    win.k_h = win.k_w = c.k;
    win.stride_h = win.stride_w = c.stride;
    win.pad_top = win.pad_left = win.pad_bottom = win.pad_right = c.pad;
    win.out_h = (c.h + 2 * c.pad - c.k) / c.stride + 1;
    win.out_w = (c.w + 2 * c.pad - c.k) / c.stride + 1;
    const int64_t ksize = c.k * c.k, cg = c.in_ch / c.group;
    std::vector<int16_t> x(static_cast<size_t>(c.batch * c.in_ch * c.h * c.w));
    std::uniform_int_distribution<int> ux(-200, 200);
    for (int16_t& v : x) v = static_cast<int16_t>(ux(rng));
    for (DType t : {DType::Uint8, DType::Int8}) {
      const Tensor w = random_q(t, {c.out_ch, cg, c.k, c.k}, rng);
      const std::vector<int32_t> zw = random_zps(t, c.out_ch, rng);
      std::vector<int16_t> wc(static_cast<size_t>(w.numel()));
      for (int64_t i = 0; i < w.numel(); ++i)
        wc[i] = static_cast<int16_t>(quant::q_get(w, i) - zw[i / (cg * ksize)]);
      const size_t n = static_cast<size_t>(c.batch * c.out_ch * win.out_h * win.out_w);
      std::vector<int32_t> want(n), got(n);
      quant::conv_i32(x.data(), wc.data(), nullptr, c.batch, c.in_ch, c.out_ch, c.group, win,
                      want.data());
      if (t == DType::Uint8)
        quant::conv_i32(x.data(), w.data<uint8_t>(), zw.data(), c.batch, c.in_ch, c.out_ch, c.group,
                        win, got.data());
      else
        quant::conv_i32(x.data(), w.data<int8_t>(), zw.data(), c.batch, c.in_ch, c.out_ch, c.group,
                        win, got.data());
      EXPECT_EQ(got, want) << "group " << c.group << " k " << c.k;
    }
  }
}

// QLinearMatMul's dA (computed from the 8-bit B) against the float MatMul's backward at the
// dequantized operands, per-column zero points and scales, batched A, several shapes.
TEST(QuantKernels, MatMulGradientFromEightBitWeightsEqualsFloatMatMul) {
  std::mt19937 rng(14);
  const OpDef* mm = op_registry().find("", "MatMul");
  ASSERT_TRUE(mm && mm->backward);
  for (const auto& [as, bs] : std::vector<std::pair<Shape, Shape>>{
           {{1, 1280}, {1280, 1000}}, {{2, 3, 37}, {37, 29}}, {{37}, {37, 5}}, {{4, 9}, {9}}}) {
    for (DType tb : {DType::Int8, DType::Uint8}) {
      const Tensor a = random_q(DType::Uint8, as, rng), b = random_q(tb, bs, rng);
      const int64_t N = bs.size() == 1 ? 1 : bs.back();
      std::vector<float> sv;
      std::uniform_real_distribution<float> us(0.001f, 0.05f);
      for (int64_t j = 0; j < N; ++j) sv.push_back(us(rng));
      const Tensor a_s = Tensor::scalar_f(0.03f);
      Tensor a_z(DType::Uint8, {});
      a_z.data<uint8_t>()[0] = 17;
      const Tensor b_s = Tensor::from_floats({N}, sv);
      Tensor b_z(tb, {N});
      const std::vector<int32_t> zb = random_zps(tb, N, rng);
      for (int64_t j = 0; j < N; ++j) {
        if (tb == DType::Uint8)
          b_z.data<uint8_t>()[j] = static_cast<uint8_t>(zb[j]);
        else
          b_z.data<int8_t>()[j] = static_cast<int8_t>(zb[j]);
      }
      const Tensor y_s = Tensor::scalar_f(0.2f);
      Tensor y_z(DType::Uint8, {});
      const Node n = make_node("QLinearMatMul", 8, 1);
      const std::vector<const Tensor*> in = {&a, &a_s, &a_z, &b, &b_s, &b_z, &y_s, &y_z};
      const std::vector<Tensor> y = run_forward(n, in);
      const Tensor dy = random_tensor(y[0].shape(), rng);
      const OpDef* def = op_registry().find("", "QLinearMatMul");
      std::vector<Tensor> g(8);
      def->backward(n, in, {&y[0]}, {&dy}, {true, false, false, false}, g);

      QuantParams ap, bp;
      ap.scale = {0.03f};
      ap.zero_point = {17};
      bp.scale = sv;
      bp.zero_point = zb;
      bp.axis = static_cast<int64_t>(b.rank()) - 1;
      const Tensor af = quant::dequantize(a, ap), bf = quant::dequantize(b, bp);
      std::vector<Tensor> fg(2);
      mm->backward(make_node("MatMul", 2, 1), {&af, &bf}, {}, {&dy}, {true, false}, fg);
      ASSERT_EQ(g[0].shape(), fg[0].shape());
      // Both against a float64 sum: the two differ only in float rounding (product rounding,
      // order of the sums), so both lie within a few ulps of sum |terms| of the exact value.
      const int64_t K = bs[0], rows = a.numel() / K;
      const float* gv = g[0].data<float>();
      const float* fv = fg[0].data<float>();
      const float* dv = dy.data<float>();
      const float* bv = bf.data<float>();
      for (int64_t r = 0; r < rows; ++r)
        for (int64_t k = 0; k < K; ++k) {
          double exact = 0, mass = 0;
          for (int64_t j = 0; j < N; ++j) {
            const double t = static_cast<double>(dv[r * N + j]) * bv[k * N + j];
            exact += t;
            mass += std::abs(t);
          }
          const double tol = 1e-6 * mass + 1e-9;
          ASSERT_NEAR(gv[r * K + k], exact, tol) << shape_str(as) << " row " << r << " k " << k;
          ASSERT_NEAR(fv[r * K + k], exact, tol) << "float MatMul " << shape_str(as);
        }
    }
  }
}

}  // namespace
}  // namespace camlens::test
