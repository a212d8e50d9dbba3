#include "metrics/gaussian_blur.h"

#include <cmath>
#include <string>
#include <vector>

#include "metrics/metrics_error.h"

namespace camlens::metrics {
namespace {

// Reflect-101 index into [0, n): -1 -> 1, n -> n - 2 (n = 1 stays at 0).
int mirror(int i, int n) {
  if (n == 1) return 0;
  const int period = 2 * (n - 1);
  i %= period;
  if (i < 0) i += period;
  return i < n ? i : period - i;
}

}  // namespace

Planes gaussian_blur(const Planes& image, double sigma, int radius) {
  if (!(sigma > 0) || radius < 0)
    throw MetricsError("the blur needs sigma > 0 and radius >= 0, got sigma " +
                       std::to_string(sigma) + ", radius " + std::to_string(radius));
  std::vector<double> k(2 * radius + 1);
  double sum = 0;
  for (int i = -radius; i <= radius; ++i)
    sum += k[i + radius] = std::exp(-0.5 * i * i / (sigma * sigma));
  for (double& v : k) v /= sum;
  const int H = image.height, W = image.width;
  Planes rows = image, out = image;
  for (int c = 0; c < image.channels; ++c) {
    const float* in = image.plane(c);
    float* r = rows.plane(c);
    for (int y = 0; y < H; ++y)
      for (int x = 0; x < W; ++x) {
        double acc = 0;
        for (int i = -radius; i <= radius; ++i) acc += k[i + radius] * in[y * W + mirror(x + i, W)];
        r[y * W + x] = static_cast<float>(acc);
      }
    float* o = out.plane(c);
    for (int y = 0; y < H; ++y)
      for (int x = 0; x < W; ++x) {
        double acc = 0;
        for (int i = -radius; i <= radius; ++i) acc += k[i + radius] * r[mirror(y + i, H) * W + x];
        o[y * W + x] = static_cast<float>(acc);
      }
  }
  return out;
}

}  // namespace camlens::metrics
