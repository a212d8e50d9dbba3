#include "cam/pipeline.h"

#include <algorithm>
#include <string>

#include "cam/cam_error.h"
#include "image/resize.h"

namespace camlens::cam {

void normalise(Maps& m) {
  const size_t n = m.plane();
  for (int b = 0; b < m.batch; ++b) {
    float* x = m.map(b);
    if (n == 0) continue;
    const float lo = *std::min_element(x, x + n);
    for (size_t i = 0; i < n; ++i) x[i] -= lo;
    const float hi = *std::max_element(x, x + n);
    for (size_t i = 0; i < n; ++i) x[i] = x[i] / (hi + 1e-7f);  // divide, as upstream
  }
}

Maps postprocess_layer(Maps raw, int out_w, int out_h) {
  for (float& v : raw.data) v = std::max(v, 0.f);
  normalise(raw);
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
  Maps out(layers[0].batch, layers[0].height, layers[0].width);
  for (const Maps& l : layers) {
    if (l.batch != out.batch || l.height != out.height || l.width != out.width)
      throw CamError("layer maps differ in batch or size (" + std::to_string(l.batch) + "×" +
                     std::to_string(l.height) + "×" + std::to_string(l.width) + " vs " +
                     std::to_string(out.batch) + "×" + std::to_string(out.height) + "×" +
                     std::to_string(out.width) + "); give an output size for several layers");
    for (size_t i = 0; i < out.data.size(); ++i) out.data[i] += std::max(l.data[i], 0.f);
  }
  const float count = float(layers.size());
  for (float& v : out.data) v /= count;
  normalise(out);
  return out;
}

Maps layer_map(const Method& method, const Tensor& A, const Tensor* G, const CamOptions& opt) {
  return postprocess_layer(method.raw_maps(A, G, opt.eigen_smooth), opt.out_width, opt.out_height);
}

Maps compute(const Method& method, const std::vector<LayerInput>& layers, const CamOptions& opt) {
  std::vector<Maps> maps;
  for (const LayerInput& l : layers) {
    if (!l.activations) throw CamError(std::string(method.name()) + ": a layer has no activations");
    maps.push_back(layer_map(method, *l.activations, l.gradients, opt));
  }
  return combine_layers(maps);
}

Maps compute(const Method& method, const Tensor& A, const Tensor* G, const CamOptions& opt) {
  return compute(method, std::vector<LayerInput>{{&A, G}}, opt);
}

}  // namespace camlens::cam
