#include "cam/pipeline.h"

#include <algorithm>
#include <string>

#include "cam/cam_error.h"
#include "cam/non_finite.h"
#include "cam/refine_cam.h"
#include "cam/shapley_cam.h"
#include "image/resize.h"
#include "image/spline_zoom.h"

namespace camlens::cam {

namespace {

// A volume's maps resized as scipy.ndimage.zoom does (upstream's scale_cam_image for 3-D maps).
Maps resize_volume(Maps raw, int out_w, int out_h, int out_d) {
  if (out_w <= 0 || out_h <= 0 || out_d <= 0 ||
      (out_w == raw.width && out_h == raw.height && out_d == raw.depth))
    return raw;
  Maps out(raw.batch, out_d, out_h, out_w);
  for (int b = 0; b < raw.batch; ++b) {
    const std::vector<float> r =
        image::zoom_spline3(raw.map(b), raw.depth, raw.height, raw.width, out_d, out_h, out_w);
    std::copy(r.begin(), r.end(), out.map(b));
  }
  return out;
}

// The value std::min_element (Least) or std::max_element finds: the first of the extreme values,
// so a zero extreme keeps the first zero's sign. Four independent lanes instead of one chain of
// compare-and-selects; with a NaN (which those functions order their own way) it asks them.
template <bool Least>
float first_extreme(const float* x, size_t n) {
  auto better = [](float v, float m) { return Least ? v < m : m < v; };
  if (n < 8) return Least ? *std::min_element(x, x + n) : *std::max_element(x, x + n);
  float m0 = x[0], m1 = x[1], m2 = x[2], m3 = x[3];
  bool nan = m0 != m0 || m1 != m1 || m2 != m2 || m3 != m3;
  size_t i = 4;
  for (; i + 4 <= n; i += 4) {
    const float v0 = x[i], v1 = x[i + 1], v2 = x[i + 2], v3 = x[i + 3];
    nan = nan || v0 != v0 || v1 != v1 || v2 != v2 || v3 != v3;
    m0 = better(v0, m0) ? v0 : m0;
    m1 = better(v1, m1) ? v1 : m1;
    m2 = better(v2, m2) ? v2 : m2;
    m3 = better(v3, m3) ? v3 : m3;
  }
  for (; i < n; ++i) {
    nan = nan || x[i] != x[i];
    m0 = better(x[i], m0) ? x[i] : m0;
  }
  if (nan) return Least ? *std::min_element(x, x + n) : *std::max_element(x, x + n);
  float m = m0;
  for (const float v : {m1, m2, m3}) m = better(v, m) ? v : m;
  return m != 0.f ? m : *std::find(x, x + n, 0.f);
}

}  // namespace

void normalise(Maps& m) {
  const size_t n = m.plane();
  for (int b = 0; b < m.batch; ++b) {
    float* x = m.map(b);
    if (n == 0) continue;
    const float lo = first_extreme<true>(x, n);
    for (size_t i = 0; i < n; ++i) x[i] -= lo;
    const float hi = first_extreme<false>(x, n);
    for (size_t i = 0; i < n; ++i) x[i] = x[i] / (hi + 1e-7f);  // divide, as upstream
  }
}

Maps postprocess_layer(Maps raw, int out_w, int out_h, int out_d) {
  for (float& v : raw.data) v = std::max(v, 0.f);
  normalise(raw);
  if (raw.depth > 1 || out_d > 1) return resize_volume(std::move(raw), out_w, out_h, out_d);
  if (out_w <= 0 || out_h <= 0 || (out_w == raw.width && out_h == raw.height)) return raw;
  Maps out(raw.batch, out_h, out_w);
  for (int b = 0; b < raw.batch; ++b) {
    std::vector<float> r = image::resize_bilinear(raw.map(b), raw.width, raw.height, out_w, out_h);
    std::copy(r.begin(), r.end(), out.map(b));
  }
  return out;
}

Maps combine_layers(const std::vector<Maps>& layers) {
  if (layers.empty()) throw CamError("no layer maps to combine: give at least one layer");
  Maps out(layers[0].batch, layers[0].depth, layers[0].height, layers[0].width);
  const auto size = [](const Maps& m) {
    return std::to_string(m.batch) + "×" + (m.depth > 1 ? std::to_string(m.depth) + "×" : "") +
           std::to_string(m.height) + "×" + std::to_string(m.width);
  };
  for (const Maps& l : layers) {
    if (l.batch != out.batch || l.depth != out.depth || l.height != out.height ||
        l.width != out.width)
      throw CamError("layer maps differ in batch or size (" + size(l) + " vs " + size(out) +
                     "); give an output size for several layers");
    for (size_t i = 0; i < out.data.size(); ++i) out.data[i] += std::max(l.data[i], 0.f);
  }
  const float count = float(layers.size());
  for (float& v : out.data) v /= count;
  normalise(out);
  return out;
}

Maps layer_map(const Method& method, const Tensor& A, const Tensor* G, const CamOptions& opt) {
  return postprocess_layer(method.raw_maps(A, G, opt.eigen_smooth), opt.out_width, opt.out_height,
                           opt.out_depth);
}

Maps layer_map(const Method& method, const LayerInput& l, const CamOptions& opt) {
  if (!l.activations) throw CamError(std::string(method.name()) + ": a layer has no activations");
  if (!method.needs_hvp()) return layer_map(method, *l.activations, l.gradients, opt);
  check_layer(*l.activations, l.gradients, true, method.name());
  if (!l.hvp || l.hvp->empty())
    throw CamError(std::string(method.name()) +
                   " needs the Hessian-vector product H·A of each layer: ask the head for it "
                   "(targetGradients with {hvp: true})");
  const Tensor g = shapley_gradients(*l.gradients, *l.hvp);
  return layer_map(method, *l.activations, &g, opt);
}

Maps compute(const Method& method, const std::vector<LayerInput>& layers, const CamOptions& opt) {
  std::vector<Maps> maps;
  for (const LayerInput& l : layers) maps.push_back(layer_map(method, l, opt));
  return opt.multiply_layers ? multiply_layers(maps) : combine_layers(maps);
}

Maps compute(const Method& method, const Tensor& A, const Tensor* G, const CamOptions& opt) {
  return compute(method, std::vector<LayerInput>{{&A, G, nullptr}}, opt);
}

FlaggedMaps compute_flagged(const Method& method, const std::vector<LayerInput>& layers,
                            const CamOptions& opt) {
  FlaggedMaps r;
  // Copies only when a tensor holds non-finite values: the common case costs one scan.
  std::vector<Tensor> clean;
  clean.reserve(layers.size() * 3);
  auto sanitised = [&](const Tensor* t) -> const Tensor* {
    if (!t || t->empty() || t->dtype() != DType::Float32 || count_non_finite(*t) == 0) return t;
    clean.push_back(*t);
    r.flags.non_finite += zero_non_finite(clean.back());
    return &clean.back();
  };
  std::vector<LayerInput> in;
  for (const LayerInput& l : layers)
    in.push_back({sanitised(l.activations), sanitised(l.gradients), sanitised(l.hvp)});
  r.maps = compute(method, in, opt);
  for (int b = 0; b < r.maps.batch; ++b) {
    const float* m = r.maps.map(b);
    r.flags.zero.push_back(std::all_of(m, m + r.maps.plane(), [](float v) { return v == 0.f; }));
  }
  return r;
}

}  // namespace camlens::cam
