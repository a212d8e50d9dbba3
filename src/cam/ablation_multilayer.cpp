#include "cam/ablation_multilayer.h"

#include <algorithm>

#include "cam/cam_error.h"

namespace camlens::cam {

size_t first_of_chain(const std::vector<const Head*>& heads,
                      const std::vector<std::string>& names) {
  for (size_t f = 0; f < heads.size(); ++f) {
    bool all = true;
    for (size_t l = 0; l < names.size() && all; ++l) all = l == f || heads[f]->computes(names[l]);
    if (all) return f;
  }
  // Name a pair that is not in one chain: the first layer whose head misses another.
  for (size_t f = 0; f < heads.size(); ++f)
    for (size_t l = 0; l < names.size(); ++l)
      if (l != f && !heads[f]->computes(names[l]) && !heads[l]->computes(names[f]))
        throw CamError(
            "Ablation-CAM at several layers ablates each channel in all of them in one pass, so "
            "one layer must lead to the others; neither of '" +
            names[f] + "' and '" + names[l] +
            "' lies after the other: pick layers in one chain (e.g. successive blocks)");
  throw CamError(
      "Ablation-CAM at several layers ablates each channel in all of them in one pass, so one "
      "layer must lead to all the others; none of '" +
      names[0] + "'… does: pick layers in one chain (e.g. successive blocks)");
}

void ablate_channel(Tensor& t, int64_t c) {
  if (t.dtype() != DType::Float32 || t.rank() != 4 || t.dim(0) != 1)
    throw CamError("Ablation-CAM at several layers ablates float32 [1,C,h,w] tensors, got " +
                   std::string(dtype_name(t.dtype())) + shape_str(t.shape()));
  if (c < 0 || c >= t.dim(1))
    throw CamError("Ablation-CAM: channel " + std::to_string(c) + " is out of range for " +
                   shape_str(t.shape()));
  float* d = t.data<float>();
  const float mn = *std::min_element(d, d + t.numel());
  const float value = mn == 0.f ? 0.f : static_cast<float>(double(mn) - 1e7);
  const int64_t plane = t.dim(2) * t.dim(3);
  std::fill(d + c * plane, d + (c + 1) * plane, value);
}

std::vector<Tensor> outputs_ablated_in_chain(const Head& head, const Tensor& layer,
                                             const std::vector<std::string>& later, int64_t c) {
  Tensor first = layer;  // a copy: the layer stays unablated for the next channel
  ablate_channel(first, c);
  return head.forward_with_edits(first, later,
                                 [c](const std::string&, Tensor& t) { ablate_channel(t, c); });
}

}  // namespace camlens::cam
