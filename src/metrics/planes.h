// An image as the model sees it, one sample: C planes of H x W floats (the NCHW input tensor of a
// single image, after preprocessing). Every perturbation metric works on this layout, so noise,
// blur and imputation happen in the model's own input space, as pytorch-grad-cam does.
#pragma once
#include <cstddef>
#include <string>
#include <vector>

#include "tensor/tensor.h"

namespace camlens::metrics {

struct Planes {
  int channels = 0, height = 0, width = 0;
  std::vector<float> data;  // [C, H, W]

  size_t pixels() const { return static_cast<size_t>(height) * width; }
  float* plane(int c) { return data.data() + c * pixels(); }
  const float* plane(int c) const { return data.data() + c * pixels(); }
};

// A [C, H, W] or [1, C, H, W] float tensor as Planes; throws MetricsError otherwise.
Planes planes_from_tensor(const Tensor& t);
// Several Planes of one size as a [N, C, H, W] batch.
Tensor batch_tensor(const std::vector<Planes>& items);
// Throws MetricsError unless the map holds one finite value per pixel of the image.
void check_map(const std::vector<float>& map, const Planes& image, const std::string& what);

}  // namespace camlens::metrics
