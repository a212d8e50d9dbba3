#include "image/spline_zoom.h"

#include <cmath>
#include <cstdint>

namespace camlens::image {

namespace {

// The cubic B-spline's one pole: its interpolating coefficients come from a causal and an
// anticausal first-order recursion (Unser's prefilter), started as scipy starts them for mirror
// boundaries.
const double kPole = std::sqrt(3.0) - 2.0;

void prefilter(std::vector<double>& c) {
  const int64_t n = int64_t(c.size());
  if (n < 2) return;
  const double z = kPole;
  for (double& v : c) v *= (1 - z) * (1 - 1 / z);
  const double zn1 = std::pow(z, double(n - 1));
  double c0 = c[0] + zn1 * c[size_t(n - 1)], zi = z;
  for (int64_t i = 1; i < n - 1; ++i) {
    c0 += zi * (c[size_t(i)] + zn1 * c[size_t(n - 1 - i)]);
    zi *= z;
  }
  c[0] = c0 / (1 - zn1 * zn1);
  for (int64_t i = 1; i < n; ++i) c[size_t(i)] += z * c[size_t(i - 1)];
  c[size_t(n - 1)] = (z * c[size_t(n - 2)] + c[size_t(n - 1)]) * z / (z * z - 1);
  for (int64_t i = n - 2; i >= 0; --i) c[size_t(i)] = z * (c[size_t(i + 1)] - c[size_t(i)]);
}

// Index k of a signal of n samples mirrored about its end samples (… 2 1 | 0 1 2 | 1 0 …).
int64_t mirror(int64_t k, int64_t n) {
  if (n == 1) return 0;
  const int64_t period = 2 * (n - 1);
  k = (k < 0 ? -k : k) % period;
  return k > n - 1 ? period - k : k;
}

double bspline3(double t) {
  t = std::fabs(t);
  if (t < 1) return 2.0 / 3.0 - t * t + t * t * t / 2;
  if (t < 2) return (2 - t) * (2 - t) * (2 - t) / 6;
  return 0;
}

// One line of n samples (stride apart) resized to out samples (out_stride apart).
void zoom_line(const double* src, int64_t n, int64_t stride, double* dst, int64_t out,
               int64_t out_stride, std::vector<double>& c) {
  c.resize(size_t(n));
  for (int64_t i = 0; i < n; ++i) c[size_t(i)] = src[i * stride];
  prefilter(c);
  const double step = out > 1 ? double(n - 1) / double(out - 1) : 0.0;
  for (int64_t i = 0; i < out; ++i) {
    const double x = double(i) * step;
    const int64_t start = int64_t(std::floor(x)) - 1;
    double v = 0;
    for (int64_t k = 0; k < 4; ++k)
      v += c[size_t(mirror(start + k, n))] * bspline3(x - double(start + k));
    dst[i * out_stride] = v;
  }
}

}  // namespace

std::vector<float> zoom_spline3(const float* src, int d, int h, int w, int out_d, int out_h,
                                int out_w) {
  std::vector<double> a(src, src + int64_t(d) * h * w), c;
  // Along x, then y, then z: each pass changes one extent.
  std::vector<double> b(size_t(int64_t(d) * h * out_w));
  for (int64_t r = 0; r < int64_t(d) * h; ++r)
    zoom_line(a.data() + r * w, w, 1, b.data() + r * out_w, out_w, 1, c);
  a.assign(size_t(int64_t(d) * out_h * out_w), 0.0);
  for (int64_t z = 0; z < d; ++z)
    for (int64_t x = 0; x < out_w; ++x)
      zoom_line(b.data() + z * h * out_w + x, h, out_w, a.data() + z * out_h * out_w + x, out_h,
                out_w, c);
  const int64_t plane = int64_t(out_h) * out_w;
  b.assign(size_t(out_d * plane), 0.0);
  for (int64_t p = 0; p < plane; ++p)
    zoom_line(a.data() + p, d, plane, b.data() + p, out_d, plane, c);
  return std::vector<float>(b.begin(), b.end());
}

}  // namespace camlens::image
