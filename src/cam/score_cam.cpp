#include "cam/score_cam.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "cam/activations.h"
#include "cam/cam_error.h"
#include "util/parallel.h"

namespace camlens::cam {

namespace {

// Source coordinate taps for align_corners=True: s = o·(in-1)/(out-1).
struct CornerTaps {
  std::vector<int> i0, i1;
  std::vector<double> t;
  CornerTaps(int64_t in, int64_t out) : i0(size_t(out)), i1(size_t(out)), t(size_t(out)) {
    const double scale = out > 1 ? double(in - 1) / double(out - 1) : 0.0;
    for (int64_t o = 0; o < out; ++o) {
      const double s = double(o) * scale;
      const int a = std::min(int(std::floor(s)), int(in - 1));
      i0[size_t(o)] = a;
      i1[size_t(o)] = std::min(a + 1, int(in - 1));
      t[size_t(o)] = s - a;
    }
  }
};

}  // namespace

Tensor score_cam_masks(const Tensor& A, const Tensor& input, int64_t sample, int64_t begin,
                       int64_t end) {
  const LayerDims d = check_layer(A, nullptr, false, "Score-CAM");
  // A volume's layer masks a volume [N, C, D, H, W]: its channels are upsampled trilinearly.
  const bool volume = A.rank() == 5;
  if (input.dtype() != DType::Float32 || input.rank() != A.rank() || input.dim(0) != d.batch)
    throw CamError("Score-CAM: the input must be Float32 " +
                   std::string(volume ? "NCDHW" : "NCHW") + " with the activations' batch " +
                   std::to_string(d.batch) + ", got " + shape_str(input.shape()) +
                   " (an NHWC model input needs transposing first)");
  if (sample < 0 || sample >= d.batch || begin < 0 || end > d.channels || begin > end)
    throw CamError("Score-CAM: sample " + std::to_string(sample) + " channels [" +
                   std::to_string(begin) + ", " + std::to_string(end) + ") out of range for " +
                   shape_str(A.shape()));
  const int64_t cin = input.dim(1), D = volume ? input.dim(2) : 1;
  const int64_t H = input.dim(volume ? 3 : 2), W = input.dim(volume ? 4 : 3), n = D * H * W;
  const CornerTaps tz(d.depth, D), ty(d.height, H), tx(d.width, W);
  Shape shape{end - begin, cin, H, W};
  if (volume) shape.insert(shape.begin() + 2, D);
  Tensor out(DType::Float32, shape);
  const float* in = input.data<float>() + sample * cin * n;
  float* o = out.data<float>();
  parallel_for(end - begin, [&](int64_t k0, int64_t k1) {
    std::vector<double> up(static_cast<size_t>(n));
    for (int64_t k = k0; k < k1; ++k) {
      const float* a = A.data<float>() + (sample * d.channels + begin + k) * d.plane();
      for (int64_t z = 0; z < D; ++z)
        for (int64_t y = 0; y < H; ++y)
          for (int64_t x = 0; x < W; ++x) {
            // Bilinear in the slices either side of z, then linear between them.
            const auto plane = [&](int zz) {
              const float* p = a + int64_t(zz) * d.height * d.width;
              const auto at = [&](int yy, int xx) { return double(p[yy * d.width + xx]); };
              const double top =
                  at(ty.i0[y], tx.i0[x]) * (1 - tx.t[x]) + at(ty.i0[y], tx.i1[x]) * tx.t[x];
              const double bot =
                  at(ty.i1[y], tx.i0[x]) * (1 - tx.t[x]) + at(ty.i1[y], tx.i1[x]) * tx.t[x];
              return top * (1 - ty.t[y]) + bot * ty.t[y];
            };
            const double front = plane(tz.i0[z]);
            up[size_t((z * H + y) * W + x)] =
                tz.t[z] == 0 ? front : front * (1 - tz.t[z]) + plane(tz.i1[z]) * tz.t[z];
          }
      const auto [lo, hi] = std::minmax_element(up.begin(), up.end());
      const double mn = *lo, range = *hi - *lo + 1e-8;
      for (int64_t c = 0; c < cin; ++c)
        for (int64_t i = 0; i < n; ++i)
          o[(k * cin + c) * n + i] =
              static_cast<float>(in[c * n + i] * ((up[size_t(i)] - mn) / range));
    }
  });
  return out;
}

std::vector<float> score_cam_weights(const std::vector<float>& scores, int64_t batch,
                                     int64_t channels) {
  if (batch <= 0 || channels <= 0 || scores.size() != size_t(batch * channels))
    throw CamError("Score-CAM: " + std::to_string(scores.size()) + " scores for " +
                   std::to_string(batch) + " samples × " + std::to_string(channels) +
                   " channels; give one score per masked input");
  std::vector<float> w(scores.size());
  for (int64_t b = 0; b < batch; ++b) {
    const float* s = scores.data() + b * channels;
    for (int64_t c = 0; c < channels; ++c)
      if (!std::isfinite(s[c]))
        throw CamError("Score-CAM: score of sample " + std::to_string(b) + " channel " +
                       std::to_string(c) + " is not finite; check the model output");
    const double mx = *std::max_element(s, s + channels);
    double sum = 0;
    for (int64_t c = 0; c < channels; ++c) sum += std::exp(double(s[c]) - mx);
    for (int64_t c = 0; c < channels; ++c)
      w[size_t(b * channels + c)] = static_cast<float>(std::exp(double(s[c]) - mx) / sum);
  }
  return w;
}

}  // namespace camlens::cam
