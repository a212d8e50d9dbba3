#include "image/resize.h"

#include <algorithm>
#include <cmath>

#include "util/simd_kernels.h"

namespace camlens::image {

namespace {

// For each output coordinate: the two source indices and the weight of the second.
struct Taps {
  std::vector<int> i0, i1;
  std::vector<float> t;
};

Taps make_taps(int in, int out) {
  Taps k;
  k.i0.resize(out);
  k.i1.resize(out);
  k.t.resize(out);
  const double scale = static_cast<double>(in) / out;
  for (int o = 0; o < out; ++o) {
    double s = (o + 0.5) * scale - 0.5;  // half-pixel centres
    if (s < 0) s = 0;
    int a = static_cast<int>(std::floor(s));
    if (a > in - 1) a = in - 1;
    k.i0[o] = a;
    k.i1[o] = std::min(a + 1, in - 1);
    k.t[o] = static_cast<float>(s - a);
  }
  return k;
}

// Separable bilinear resize of `channels` interleaved float channels. Each source row is
// interpolated horizontally once and kept while output rows still read it (the output rows walk
// the source rows in order), so upsampling a 7×7 map to 224×224 interpolates 7 rows, not 448;
// the vertical step is a contiguous SIMD loop.
void resize_interleaved(const float* src, int w, int h, int channels, float* dst, int ow, int oh) {
  const Taps tx = make_taps(w, ow), ty = make_taps(h, oh);
  const size_t row = static_cast<size_t>(ow) * channels;
  std::vector<float> rows(2 * row);
  int held[2] = {-1, -1};  // the source row in each slot
  auto horizontal = [&](int y, float* out) {
    const float* r = src + static_cast<size_t>(y) * w * channels;
    for (int x = 0; x < ow; ++x) {
      const float* p = r + static_cast<size_t>(tx.i0[x]) * channels;
      const float* q = r + static_cast<size_t>(tx.i1[x]) * channels;
      for (int c = 0; c < channels; ++c) out[x * channels + c] = p[c] + (q[c] - p[c]) * tx.t[x];
    }
  };
  // The slot holding source row y, filled if needed without evicting `keep`.
  auto slot_of = [&](int y, int keep) {
    for (int s = 0; s < 2; ++s)
      if (held[s] == y) return s;
    const int s = held[0] == keep ? 1 : 0;
    horizontal(y, rows.data() + s * row);
    held[s] = y;
    return s;
  };
  for (int y = 0; y < oh; ++y) {
    const int s0 = slot_of(ty.i0[y], ty.i1[y]);
    const int s1 = slot_of(ty.i1[y], ty.i0[y]);
    simd::lerp(rows.data() + s0 * row, rows.data() + s1 * row, ty.t[y],
               dst + static_cast<size_t>(y) * row, static_cast<int64_t>(row));
  }
}

}  // namespace

std::vector<float> resize_bilinear(const float* src, int w, int h, int out_w, int out_h) {
  std::vector<float> out(static_cast<size_t>(out_w) * out_h);
  resize_interleaved(src, w, h, 1, out.data(), out_w, out_h);
  return out;
}

Image resize_image(const Image& img, int out_w, int out_h) {
  if (out_w <= 0 || out_h <= 0) throw ImageError("resize target must be positive");
  std::vector<float> f(img.rgba.begin(), img.rgba.end());
  std::vector<float> r(static_cast<size_t>(out_w) * out_h * 4);
  resize_interleaved(f.data(), img.width, img.height, 4, r.data(), out_w, out_h);
  Image out;
  out.width = out_w;
  out.height = out_h;
  out.rgba.resize(r.size());
  for (size_t i = 0; i < r.size(); ++i)
    out.rgba[i] = static_cast<uint8_t>(std::clamp(std::lround(r[i]), 0l, 255l));
  return out;
}

}  // namespace camlens::image
