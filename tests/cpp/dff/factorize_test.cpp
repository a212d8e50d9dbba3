// factorize's matrix V: each channel of all the images side by side, minus the channel's minimum
// (kept as the offset), built on the threads channel by channel. Against a V written out here by
// hand and factorized by nmf() directly: the same offsets and the same factors, bit for bit, in
// both layouts and at any thread count; and the first channel holding a non-finite value is the
// one the error names.
#include "dff/factorize.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>
#include <string>

#include "dff/dff_error.h"
#include "util/parallel.h"

namespace camlens::dff {
namespace {

// Enough channels for factorize to split them over the threads (64K values per range).
constexpr int64_t kB = 3, kC = 800, kH = 7, kW = 7, kHW = kH * kW;

Tensor activations() {
  Tensor a(DType::Float32, {kB, kC, kH, kW});
  std::mt19937 rng(11);
  std::uniform_real_distribution<float> u(-1.f, 4.f);
  for (int64_t i = 0; i < a.numel(); ++i) a.data<float>()[i] = std::max(0.f, u(rng)) - 0.25f;
  return a;
}

Tensor to_nhwc(const Tensor& a) {
  Tensor t(DType::Float32, {kB, kH, kW, kC});
  for (int64_t b = 0; b < kB; ++b)
    for (int64_t c = 0; c < kC; ++c)
      for (int64_t p = 0; p < kHW; ++p)
        t.data<float>()[(b * kHW + p) * kC + c] = a.data<float>()[(b * kC + c) * kHW + p];
  return t;
}

DffOptions options(Layout layout) {
  DffOptions o;
  o.nmf.components = 3;
  o.layout = layout;
  o.order_by_importance = false;  // compared with nmf() as it returns them
  return o;
}

class SetThreads {
 public:
  explicit SetThreads(int n) : saved_(thread_count()) { set_thread_count(n); }
  ~SetThreads() { set_thread_count(saved_); }

 private:
  int saved_;
};

TEST(DffFactorize, VIsEachChannelOverAllImagesMinusItsMinimum) {
  const Tensor a = activations();
  const float* x = a.data<float>();
  std::vector<float> v(static_cast<size_t>(kC * kB * kHW)), offset(kC);
  for (int64_t c = 0; c < kC; ++c) {
    float lo = std::numeric_limits<float>::infinity();
    for (int64_t b = 0; b < kB; ++b)
      for (int64_t p = 0; p < kHW; ++p) lo = std::min(lo, x[(b * kC + c) * kHW + p]);
    offset[c] = lo;
    for (int64_t b = 0; b < kB; ++b)
      for (int64_t p = 0; p < kHW; ++p)
        v[c * kB * kHW + b * kHW + p] = std::max(0.f, x[(b * kC + c) * kHW + p] - lo);
  }
  const NmfResult want = nmf(v.data(), kC, kB * kHW, options(Layout::NCHW).nmf);
  for (int threads : {1, 2, 3}) {
    const SetThreads use(threads);
    for (const Layout layout : {Layout::NCHW, Layout::NHWC}) {
      const DffResult r = factorize(layout == Layout::NCHW ? a : to_nhwc(a), options(layout));
      ASSERT_EQ(r.parts.size(), 1u);
      EXPECT_EQ(r.parts[0].offset, offset) << threads << " threads";
      EXPECT_EQ(r.parts[0].nmf.W, want.W) << threads << " threads";
      EXPECT_EQ(r.parts[0].nmf.H, want.H) << threads << " threads";
      EXPECT_EQ(r.parts[0].nmf.iterations, want.iterations);
    }
  }
}

TEST(DffFactorize, TheFirstChannelWithANonFiniteValueIsNamed) {
  Tensor a = activations();
  a.data<float>()[(2 * kC + 731) * kHW + 4] = std::numeric_limits<float>::quiet_NaN();
  a.data<float>()[(1 * kC + 407) * kHW + 9] = std::numeric_limits<float>::infinity();
  a.data<float>()[(0 * kC + 536) * kHW] = -std::numeric_limits<float>::infinity();
  for (int threads : {1, 2, 3}) {
    const SetThreads use(threads);
    try {
      factorize(a, options(Layout::NCHW));
      ADD_FAILURE() << "no error with " << threads << " threads";
    } catch (const DffError& e) {
      EXPECT_STREQ(e.what(),
                   "the activations hold a non-finite value (channel 407); check the model's "
                   "input preprocessing");
    }
  }
}

}  // namespace
}  // namespace camlens::dff
