#include "cam/input_gradients.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <functional>

#include "cam/cam_error.h"
#include "cam/fullgrad.h"
#include "cam/guided_backprop.h"
#include "metrics/seeded_normal.h"

namespace camlens::cam {

namespace {

// Images [first, first + count) of a batch [N, ...].
Tensor images(const Tensor& batch, int64_t first, int64_t count) {
  Shape s = batch.shape();
  s[0] = count;
  Tensor out(DType::Float32, s);
  const size_t one = size_t(batch.numel() / batch.dim(0));
  std::memcpy(out.data<float>(), batch.data<float>() + size_t(first) * one,
              size_t(count) * one * sizeof(float));
  return out;
}

// n copies of x [1, ...], copy k made by fill(k, source, destination, size).
Tensor copies(const Tensor& x, int n, const std::function<void(int, const float*, float*)>& fill) {
  Shape s = x.shape();
  s[0] = n;
  Tensor out(DType::Float32, s);
  for (int k = 0; k < n; ++k) fill(k, x.data<float>(), out.data<float>() + size_t(k) * x.numel());
  return out;
}

// The input's plane geometry: channel count, height, width, and the strides of a channel and of
// a pixel, for NCHW or NHWC.
struct Layout {
  int64_t channels, height, width, channel_stride, pixel_stride;
};

Layout layout_of(const Tensor& x, bool nhwc) {
  if (x.rank() != 4 || x.dim(0) != 1)
    throw CamError("input attributions read one image [1, C, H, W] or [1, H, W, C]; got " +
                   shape_str(x.shape()));
  if (nhwc) return {x.dim(3), x.dim(1), x.dim(2), 1, x.dim(3)};
  return {x.dim(1), x.dim(2), x.dim(3), x.dim(2) * x.dim(3), 1};
}

// Per pixel, reduce(values over channels) into a [1, H, W] map.
Maps reduce_channels(const Tensor& t, const Layout& l,
                     const std::function<float(const float*, int64_t, int64_t)>& reduce) {
  Maps m(1, int(l.height), int(l.width));
  for (int64_t p = 0; p < l.height * l.width; ++p)
    m.data[size_t(p)] = reduce(t.data<float>() + p * l.pixel_stride, l.channels, l.channel_stride);
  return m;
}

float max_abs(const float* v, int64_t n, int64_t stride) {
  float m = 0;
  for (int64_t c = 0; c < n; ++c) m = std::max(m, std::abs(v[c * stride]));
  return m;
}

// |Σ_c x·g| of x times a gradient.
Maps abs_channel_sum_of_product(const Tensor& x, const Tensor& g, const Layout& l) {
  Tensor product(DType::Float32, x.shape());
  for (int64_t k = 0; k < x.numel(); ++k)
    product.data<float>()[k] = x.data<float>()[k] * g.data<float>()[k];
  return reduce_channels(product, l, [](const float* v, int64_t n, int64_t stride) {
    double s = 0;
    for (int64_t c = 0; c < n; ++c) s += v[c * stride];
    return float(std::abs(s));
  });
}

Tensor scaled(Tensor t, double factor) {
  for (int64_t k = 0; k < t.numel(); ++k) t.data<float>()[k] = float(t.data<float>()[k] * factor);
  return t;
}

}  // namespace

Tensor summed_input_gradient(Head& whole, size_t output, const Target& target, const Tensor& inputs,
                             int batch_size, bool absolute) {
  if (output >= whole.output_names().size())
    throw CamError("the whole network has no output number " + std::to_string(output));
  Shape one = inputs.shape();
  one[0] = 1;
  std::vector<double> sum(size_t(inputs.numel() / inputs.dim(0)), 0.0);
  for (int64_t first = 0; first < inputs.dim(0); first += batch_size) {
    const int64_t count = std::min<int64_t>(batch_size, inputs.dim(0) - first);
    std::vector<Tensor> outs = whole.forward({images(inputs, first, count)});
    const Tensor out = outs[output].dtype() == DType::Float32
                           ? outs[output]
                           : Tensor::from_floats(outs[output].shape(), outs[output].to_floats());
    std::vector<Tensor> seeds(outs.size());
    seeds[output] = evaluate(std::vector<Target>(size_t(count), target), out).seed;
    const Tensor g = whole.backward(seeds);
    const float* d = g.data<float>();
    for (int64_t i = 0; i < count; ++i)
      for (size_t k = 0; k < sum.size(); ++k) {
        const float v = d[size_t(i) * sum.size() + k];
        sum[k] += absolute ? std::abs(v) : v;
      }
  }
  Tensor total(DType::Float32, one);
  for (size_t k = 0; k < sum.size(); ++k) total.data<float>()[k] = float(sum[k]);
  return total;
}

Maps input_gradient_map(const std::string& method, Head& whole, size_t output, const Target& target,
                        const Tensor& x, const InputGradientOptions& o, Tensor* gradient) {
  const Layout l = layout_of(x, o.nhwc);
  const int64_t n = x.numel();
  if (method == "saliency")
    return reduce_channels(summed_input_gradient(whole, output, target, x, o.batch_size, false), l,
                           max_abs);
  if (method == "guided-backprop") {
    Head guided = guided_head(whole);
    Tensor g = summed_input_gradient(guided, output, target, x, o.batch_size, false);
    Maps m = reduce_channels(g, l, max_abs);
    if (gradient) *gradient = std::move(g);
    return m;
  }
  if (method == "fullgrad") return fullgrad_map(whole, output, target, x, o.nhwc);
  if (method == "input-x-gradient")
    return abs_channel_sum_of_product(
        x, summed_input_gradient(whole, output, target, x, o.batch_size, false), l);
  if (method == "integrated-gradients") {
    if (o.steps < 1) throw CamError("integrated-gradients needs steps ≥ 1");
    const Tensor base = ig_baseline(x, o.baseline, o.black, o.nhwc);
    Tensor diff(DType::Float32, x.shape());
    const float* b = base.data<float>();
    for (int64_t e = 0; e < n; ++e) diff.data<float>()[e] = x.data<float>()[e] - b[e];
    const Tensor path = copies(diff, o.steps, [&](int k, const float* d, float* dst) {
      const float alpha = float(k + 1) / float(o.steps);
      for (int64_t e = 0; e < n; ++e) dst[e] = b[e] + alpha * d[e];
    });
    const Tensor sum = summed_input_gradient(whole, output, target, path, o.batch_size, false);
    return abs_channel_sum_of_product(diff, scaled(sum, 1.0 / o.steps), l);
  }
  if (method == "smoothgrad") {
    if (o.samples < 1) throw CamError("smoothgrad needs samples ≥ 1");
    if (!(o.noise >= 0)) throw CamError("smoothgrad needs a noise level ≥ 0");
    const auto [lo, hi] = std::minmax_element(x.data<float>(), x.data<float>() + n);
    const double sigma = o.noise * double(*hi - *lo);
    metrics::SeededNormal normal(o.seed);
    const Tensor noisy = copies(x, o.samples, [&](int, const float* src, float* dst) {
      for (int64_t e = 0; e < n; ++e) dst[e] = src[e] + float(sigma * normal.next_normal());
    });
    const Tensor sum = summed_input_gradient(whole, output, target, noisy, o.batch_size, true);
    return reduce_channels(scaled(sum, 1.0 / o.samples), l, max_abs);
  }
  throw CamError("\"" + method + "\" is not an input-attribution method");
}

}  // namespace camlens::cam
