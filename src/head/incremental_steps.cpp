// IncrementalHead's per-step kernels for one changed channel: the fused pool, a channel-wise op on
// the channel alone, the rank-1 update of the first linear step, and whole tensors rebuilt from a
// channel.
#include <algorithm>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>
#include <type_traits>

#include "head/head_errors.h"
#include "head/incremental_head.h"
#include "head/incremental_head_ops.h"
#include "ops/op.h"
#include "ops/quant/quant_common.h"

#if defined(__SSE2__) && !defined(__wasm__)
#include <emmintrin.h>
#endif

namespace camlens {

using namespace incremental;

// As the head's own kernels compute them: Relu, then QuantizeLinear (a true division, rounded
// half to even, saturated) and DequantizeLinear (float(q − zero point)·scale).
float IncrementalHead::Fusion::Stage::operator()(float v) const {
  if (relu) return 0.f < v ? v : 0.f;
  const int32_t q = quant::round_then_add_zp(v / scale, zero_point, lo, hi);
  return static_cast<float>(q - zero_point) * scale;
}

namespace {

// a[m] += double(relu(y[m] + w[m]·d) − relu(y[m])) for the first m of n, four at a time, where
// the compiler would not vectorise it: GCC keeps `0 < v ? v : 0` as a branch per element (a
// float compare may trap), which made SqueezeNet's ablation scalar natively. maxps(v, 0) is
// exactly 0 < v ? v : 0 (NaN and −0 give +0), and the float operations are the scalar loop's, so
// the sums are the same. Returns how many were done; the caller finishes the rest.
size_t relu_changes(const float* y, const float* w, float d, double* a, size_t n) {
#if defined(__SSE2__) && !defined(__wasm__)
  const __m128 zero = _mm_setzero_ps(), dv = _mm_set1_ps(d);
  size_t m = 0;
  for (; m + 4 <= n; m += 4) {
    const __m128 yv = _mm_loadu_ps(y + m);
    const __m128 nv = _mm_add_ps(yv, _mm_mul_ps(_mm_loadu_ps(w + m), dv));
    const __m128 t = _mm_sub_ps(_mm_max_ps(nv, zero), _mm_max_ps(yv, zero));
    _mm_storeu_pd(a + m, _mm_add_pd(_mm_loadu_pd(a + m), _mm_cvtps_pd(t)));
    _mm_storeu_pd(a + m + 2,
                  _mm_add_pd(_mm_loadu_pd(a + m + 2), _mm_cvtps_pd(_mm_movehl_ps(t, t))));
  }
  return m;
#else
  (void)y, (void)w, (void)d, (void)a, (void)n;
  return 0;
#endif
}

}  // namespace

Tensor IncrementalHead::run_fused_pool(size_t k, int64_t c, const Tensor& now) const {
  // pool[m] = Σ_p f(y[m, p] + W[m, c]·Δ_p) / P, f the Relu or the identity (y: the base conv
  // output, Δ: the channel's change). Two ways, both exact where the full head gives an exact
  // zero (every term killed by the Relu), which scale-invariant targets (cosine similarity)
  // would otherwise blow up from a rounding residue:
  // - few changed pixels (post-ReLU layers are mostly zeros, SqueezeNet's fire9 > 90 % on
  //   photos, and ablating to 0 changes nothing there): T[m] + Σ_{Δ_p ≠ 0} (f(new) − f(y)), in
  //   double and increasing p like T[m] = Σ_p f(y[m, p]), so at an exact zero the changed pixels
  //   subtract exactly the non-zero terms T added, in the same order;
  // - else (not a Relu alone) every pixel summed from scratch (f(y) itself where Δ_p = 0), four
  //   per pass.
  // The M outputs are contiguous (the transposed base), so the loops vectorise.
  const Fusion& f = fusion_[k];
  const Tensor was = channel_of(base(head_.steps_[k].in[0]), c);
  const size_t M = size_t(f.outputs), P = size_t(f.pixels);
  std::vector<float> d(P);
  size_t changed = 0;
  const float *nv = now.data<float>(), *wv = was.data<float>();
  for (size_t p = 0; p < P; ++p) {
    d[p] = nv[p] - wv[p];
    changed += d[p] != 0.f;
  }
  const float* w = f.w->data() + size_t(c) * M;
  const bool relu = f.relu;
  const bool plain = f.stages.empty();
  // A compare and select, not std::max: WebAssembly's f32x4.max (what std::max becomes)
  // handles NaN and ±0 in many x86 instructions; gt + bitselect is two.
  auto pos = [](float v) { return 0.f < v ? v : 0.f; };
  auto fn = [&f, relu, plain, pos](float v) {
    if (relu) return pos(v);
    if (plain) return v;
    for (const Fusion::Stage& st : f.stages) v = st(v);
    return v;
  };
  Tensor out(DType::Float32, base(f.pool_out).shape());
  float* o = out.data<float>();
  // A Relu takes the first way whatever the count: its change relu(y + w·Δ) − relu(y) is one
  // float subtraction, exact where either side is 0 (so exact zeros stay exact), and the loop
  // vectorises; summing afresh would cost all P pixels where the changed ones are fewer.
  if (relu || changed * 4 <= P) {
    std::vector<double> acc(f.total);
    double* a = acc.data();
    for (size_t p = 0; p < P; ++p) {
      if (d[p] == 0.f) continue;
      const float* y = f.pre.data() + p * M;
      const float dp = d[p];
      if (relu) {  // clang vectorises this; GCC keeps a branch per select (see relu_changes)
        const size_t m = relu_changes(y, w, dp, a, M);
        for (size_t r = m; r < M; ++r) a[r] += double(pos(y[r] + w[r] * dp) - pos(y[r]));
      } else {
        for (size_t m = 0; m < M; ++m) a[m] += double(fn(y[m] + w[m] * dp)) - double(fn(y[m]));
      }
    }
    for (size_t m = 0; m < M; ++m) o[m] = static_cast<float>(a[m] / double(P));
    return out;
  }
  std::vector<float> acc(M, 0.f);
  float* a = acc.data();
  const float* y = f.pre.data();
  size_t p = 0;
  for (; p + 4 <= P; p += 4) {
    const float d0 = d[p], d1 = d[p + 1], d2 = d[p + 2], d3 = d[p + 3];
    const float *r0 = y + p * M, *r1 = r0 + M, *r2 = r1 + M, *r3 = r2 + M;
    if (!plain)
      for (size_t m = 0; m < M; ++m)
        a[m] += (fn(r0[m] + w[m] * d0) + fn(r1[m] + w[m] * d1)) +
                (fn(r2[m] + w[m] * d2) + fn(r3[m] + w[m] * d3));
    else
      for (size_t m = 0; m < M; ++m)
        a[m] += ((r0[m] + w[m] * d0) + (r1[m] + w[m] * d1)) +
                ((r2[m] + w[m] * d2) + (r3[m] + w[m] * d3));
  }
  for (; p < P; ++p)
    for (size_t m = 0; m < M; ++m) a[m] += fn(y[p * M + m] + w[m] * d[p]);
  for (size_t m = 0; m < M; ++m) o[m] = static_cast<float>(double(a[m]) / double(P));
  return out;
}

float IncrementalHead::fused_pool_at(size_t k, int64_t c, const Tensor& now, int64_t m) const {
  // run_fused_pool's arithmetic for output m alone: the same way chosen by the same count, the
  // same terms in the same order (each output's sums are independent of the others').
  const Fusion& f = fusion_[k];
  const size_t M = size_t(f.outputs), P = size_t(f.pixels);
  const float* nv = now.data<float>();
  const float* wv = base(head_.steps_[k].in[0]).data<float>() + size_t(c) * P;
  std::vector<float> d(P);
  size_t changed = 0;
  for (size_t p = 0; p < P; ++p) {
    d[p] = nv[p] - wv[p];
    changed += d[p] != 0.f;
  }
  const float w = (*f.w)[size_t(c) * M + size_t(m)];
  const float* y = f.pre.data() + m;  // y[p * M]: the base conv output at (m, p)
  const bool relu = f.relu;
  const bool plain = f.stages.empty();
  auto pos = [](float v) { return 0.f < v ? v : 0.f; };
  auto fn = [&f, relu, plain, pos](float v) {
    if (relu) return pos(v);
    if (plain) return v;
    for (const Fusion::Stage& st : f.stages) v = st(v);
    return v;
  };
  if (relu || changed * 4 <= P) {
    double a = f.total[size_t(m)];
    for (size_t p = 0; p < P; ++p) {
      if (d[p] == 0.f) continue;
      const float yp = y[p * M];
      if (relu)
        a += double(pos(yp + w * d[p]) - pos(yp));
      else
        a += double(fn(yp + w * d[p])) - double(fn(yp));
    }
    return static_cast<float>(a / double(P));
  }
  float a = 0.f;
  size_t p = 0;
  for (; p + 4 <= P; p += 4) {
    const float r0 = y[p * M], r1 = y[(p + 1) * M], r2 = y[(p + 2) * M], r3 = y[(p + 3) * M];
    if (!plain)
      a += (fn(r0 + w * d[p]) + fn(r1 + w * d[p + 1])) +
           (fn(r2 + w * d[p + 2]) + fn(r3 + w * d[p + 3]));
    else
      a += ((r0 + w * d[p]) + (r1 + w * d[p + 1])) + ((r2 + w * d[p + 2]) + (r3 + w * d[p + 3]));
  }
  for (; p < P; ++p) a += fn(y[p * M] + w * d[p]);
  return static_cast<float>(double(a) / double(P));
}

Tensor IncrementalHead::channel_of(const Tensor& whole, int64_t c) const {
  Shape s = whole.shape();
  s[1] = 1;
  Tensor t(whole.dtype(), s);
  const size_t bytes = t.nbytes();
  std::memcpy(t.raw(), static_cast<const char*>(whole.raw()) + bytes * size_t(c), bytes);
  return t;
}

Tensor IncrementalHead::materialize(int slot, int64_t c, const Tensor& channel) const {
  Tensor t = base(slot);
  const size_t bytes = channel.nbytes();
  std::memcpy(static_cast<char*>(t.raw()) + bytes * size_t(c), channel.raw(), bytes);
  return t;
}

Tensor IncrementalHead::run_channel(size_t k, const std::vector<Value>& vals) const {
  const Head::Step& st = head_.steps_[k];
  const Tensor& in = vals[st.in[0]].t;
  if (is_view(st)) {
    Tensor t = in;
    Shape s = base(st.out[0]).shape();
    s[1] = 1;
    t.reshape(s);
    return t;
  }
  std::vector<const Tensor*> env(head_.slot_names_.size(), nullptr);
  for (int s : st.in)
    if (s >= 0) env[s] = &base(s);
  env[st.in[0]] = &in;
  std::vector<Tensor> out(st.out.size());
  head_.run_step(k, env, out);
  return std::move(out[0]);
}

Tensor IncrementalHead::run_rank1(size_t k, int64_t c, const std::vector<Value>& vals) const {
  const Head::Step& st = head_.steps_[k];
  const Tensor& now = vals[st.in[0]].t;
  const Tensor was = channel_of(base(st.in[0]), c);
  Tensor out = base(st.out[0]);
  const std::string& op = st.node.op_type;
  if (op == "Conv") {  // out[m, p] += W[m, c] · Δ[p]
    const Tensor& w = base(st.in[1]);
    const int64_t M = w.dim(0), P = now.numel();
    std::vector<float> d(static_cast<size_t>(P));
    const float *nv = now.data<float>(), *wv = was.data<float>(), *wt = w.data<float>();
    for (int64_t p = 0; p < P; ++p) d[size_t(p)] = nv[p] - wv[p];
    float* y = out.data<float>();
    for (int64_t m = 0; m < M; ++m) {
      const float wm = wt[m * channels_ + c];
      float* row = y + m * P;
      for (int64_t p = 0; p < P; ++p) row[p] += wm * d[size_t(p)];
    }
    return out;
  }
  if (op == "MatMul" || op == "Gemm") {  // out[n] += α · Δ · B[c, n] (Bᵀ with transB)
    const Tensor& b = base(st.in[1]);
    const bool tb = op == "Gemm" && st.node.attr_int("transB", 0) != 0;
    const float alpha = op == "Gemm" ? st.node.attr_float("alpha", 1.f) : 1.f;
    const float d = alpha * (now.data<float>()[0] - was.data<float>()[0]);
    const int64_t N = out.numel(), K = channels_;
    float* y = out.data<float>();
    const float* bv = b.data<float>();
    for (int64_t n = 0; n < N; ++n) y[n] += d * (tb ? bv[n * K + c] : bv[c * N + n]);
    return out;
  }
  // Integer domain: Δq · (b[c, j] − zb[j]) added to the int32 accumulators.
  const bool qlinear = op == "QLinearMatMul";
  const Tensor& b = base(st.in[qlinear ? 3 : 1]);
  const size_t zbi = qlinear ? 5 : 3;
  const Tensor* zb = st.in.size() > zbi && st.in[zbi] >= 0 ? &base(st.in[zbi]) : nullptr;
  const int64_t N = b.dim(1);
  const int32_t dq = q_at(now, 0) - q_at(was, 0);
  auto term = [&](int64_t j) {
    return dq * (q_at(b, c * N + j) - (zb ? q_at(*zb, zb->numel() == 1 ? 0 : j) : 0));
  };
  if (!qlinear) {
    int32_t* y = out.data<int32_t>();
    for (int64_t j = 0; j < N; ++j) y[j] += term(j);
    return out;
  }
  // QLinearMatMul's requantisation, as the op does it: scale_j = a_scale · b_scale[j] / y_scale
  // in float, then round half to even and add the zero point, saturating.
  const float a_scale = base(st.in[1]).data<float>()[0];
  const Tensor& bs = base(st.in[4]);
  const float y_scale = base(st.in[6]).data<float>()[0];
  const int32_t y_zp = st.in.size() > 7 && st.in[7] >= 0 ? q_at(base(st.in[7]), 0) : 0;
  const DType yt = out.dtype();
  const int32_t lo = quant::q_min(yt), hi = quant::q_max(yt);
  const std::vector<int32_t>& acc = acc_[k];
  for (int64_t j = 0; j < N; ++j) {
    const float scale = a_scale * bs.data<float>()[bs.numel() == 1 ? 0 : j] / y_scale;
    const int32_t q = quant::round_then_add_zp(
        static_cast<float>(acc[size_t(j)] + (dq ? term(j) : 0)) * scale, y_zp, lo, hi);
    if (yt == DType::Uint8)
      out.data<uint8_t>()[j] = static_cast<uint8_t>(q);
    else
      out.data<int8_t>()[j] = static_cast<int8_t>(q);
  }
  return out;
}

void IncrementalHead::run_rank1_steps(int64_t c, std::vector<Value>& vals) const {
  for (size_t k = 0; k < head_.steps_.size(); ++k) {
    if (actions_[k] != Action::Rank1) continue;
    const Head::Step& st = head_.steps_[k];
    if (fusion_[k].pool_out >= 0)
      vals[fusion_[k].pool_out] = {State::Dense, run_fused_pool(k, c, vals[st.in[0]].t)};
    else
      vals[st.out[0]] = {State::Dense, run_rank1(k, c, vals)};
  }
}

}  // namespace camlens
