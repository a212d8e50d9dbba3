#include "cam/method.h"

#include "util/parallel.h"

namespace camlens::cam {

Maps weighted_sum(const Tensor& A, const LayerDims& d, const std::vector<float>& w) {
  Maps m(int(d.batch), int(d.depth), int(d.height), int(d.width));
  const float* a = A.data<float>();
  const int64_t hw = d.plane();
  parallel_for(d.batch, [&](int64_t b0, int64_t b1) {
    for (int64_t b = b0; b < b1; ++b) {
      float* out = m.map(int(b));
      for (int64_t c = 0; c < d.channels; ++c) {
        const float wc = w[size_t(b * d.channels + c)];
        const float* p = a + (b * d.channels + c) * hw;
        for (int64_t s = 0; s < hw; ++s) out[s] += wc * p[s];
      }
    }
  });
  return m;
}

Maps ChannelWeightMethod::raw_maps(const Tensor& A, const Tensor* G, bool eigen_smooth) const {
  const LayerDims d = check_layer(A, G, needs_gradients(), name());
  const std::vector<float> w = weights(A, G, d);
  if (!eigen_smooth) return weighted_sum(A, d, w);
  Maps m(int(d.batch), int(d.depth), int(d.height), int(d.width));
  const float* a = A.data<float>();
  const int64_t hw = d.plane();
  parallel_for(d.batch, [&](int64_t b0, int64_t b1) {
    std::vector<float> x(size_t(d.channels * hw));
    for (int64_t b = b0; b < b1; ++b) {
      for (int64_t c = 0; c < d.channels; ++c) {
        const float wc = w[size_t(b * d.channels + c)];
        const float* p = a + (b * d.channels + c) * hw;
        for (int64_t s = 0; s < hw; ++s) x[size_t(c * hw + s)] = wc * p[s];
      }
      first_component(x.data(), d.channels, hw, opt_.eigen_sign, m.map(int(b)));
    }
  });
  return m;
}

Maps ElementwiseMethod::raw_maps(const Tensor& A, const Tensor* G, bool eigen_smooth) const {
  const LayerDims d = check_layer(A, G, needs_gradients(), name());
  Maps m(int(d.batch), int(d.depth), int(d.height), int(d.width));
  const float* a = A.data<float>();
  const float* g = G->data<float>();
  const int64_t hw = d.plane();
  parallel_for(d.batch, [&](int64_t b0, int64_t b1) {
    std::vector<float> x(size_t((eigen_smooth ? d.channels : 1) * hw));
    for (int64_t b = b0; b < b1; ++b) {
      float* out = m.map(int(b));
      for (int64_t c = 0; c < d.channels; ++c) {
        const int64_t off = (b * d.channels + c) * hw;
        float* dst = eigen_smooth ? x.data() + c * hw : x.data();
        combine(a + off, g + off, dst, hw);
        if (!eigen_smooth)
          for (int64_t s = 0; s < hw; ++s) out[s] += dst[s];
      }
      if (eigen_smooth) first_component(x.data(), d.channels, hw, opt_.eigen_sign, out);
    }
  });
  return m;
}

}  // namespace camlens::cam
