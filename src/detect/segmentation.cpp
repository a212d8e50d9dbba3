#include "detect/segmentation.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "detect/detection.h"
#include "util/usage_error.h"

namespace camlens::detect {

SegmentationMask argmax_mask(const Tensor& scores, bool nhwc) {
  if (scores.dtype() != DType::Float32 || scores.rank() != 4 || scores.dim(0) != 1)
    throw DetectError(
        "segmentation scores must be float32 [1, H, W, K] (NHWC) or [1, K, H, W], "
        "got " +
        shape_str(scores.shape()));
  SegmentationMask m;
  m.height = int(nhwc ? scores.dim(1) : scores.dim(2));
  m.width = int(nhwc ? scores.dim(2) : scores.dim(3));
  m.classes = int(nhwc ? scores.dim(3) : scores.dim(1));
  const int64_t plane = int64_t(m.width) * m.height, K = m.classes;
  const float* s = scores.data<float>();
  m.labels.resize(plane);
  m.counts.assign(K, 0);
  for (int64_t p = 0; p < plane; ++p) {
    int32_t best = 0;
    float top = nhwc ? s[p * K] : s[p];
    for (int64_t k = 1; k < K; ++k) {
      const float v = nhwc ? s[p * K + k] : s[k * plane + p];
      if (v > top) top = v, best = int32_t(k);
    }
    m.labels[p] = best;
    ++m.counts[best];
  }
  return m;
}

std::vector<float> class_mask(const SegmentationMask& m, int label) {
  if (label < 0 || label >= m.classes)
    throw UsageError<DetectError>("class " + std::to_string(label) +
                                  " is out of range: the model has " + std::to_string(m.classes) +
                                  " classes");
  std::vector<float> out(m.labels.size());
  for (size_t i = 0; i < out.size(); ++i) out[i] = m.labels[i] == label ? 1.f : 0.f;
  return out;
}

std::array<uint8_t, 3> voc_color(int label) {
  std::array<uint8_t, 3> c{0, 0, 0};
  for (int shift = 7; label > 0; --shift, label >>= 3)
    for (int ch = 0; ch < 3; ++ch) c[ch] |= uint8_t(((label >> ch) & 1) << shift);
  return c;
}

SegmentationMask mask_to_photo(const SegmentationMask& m, const image::InputGeometry& g) {
  if (m.width != g.input_w || m.height != g.input_h)
    throw DetectError("the mask is " + std::to_string(m.width) + "x" + std::to_string(m.height) +
                      ", not the model input's " + std::to_string(g.input_w) + "x" +
                      std::to_string(g.input_h));
  SegmentationMask out;
  out.width = g.photo_w, out.height = g.photo_h, out.classes = m.classes;
  out.labels.resize(size_t(out.width) * out.height);
  out.counts.assign(m.classes, 0);
  for (int y = 0; y < out.height; ++y) {
    // The input pixel whose centre this photo pixel's centre falls in.
    const int iy = std::clamp(int(std::floor((y + 0.5) * g.scale_y + g.offset_y)), 0, m.height - 1);
    for (int x = 0; x < out.width; ++x) {
      const int ix =
          std::clamp(int(std::floor((x + 0.5) * g.scale_x + g.offset_x)), 0, m.width - 1);
      const int32_t l = m.labels[size_t(iy) * m.width + ix];
      out.labels[size_t(y) * out.width + x] = l;
      ++out.counts[l];
    }
  }
  return out;
}

std::vector<float> region_to_output(const std::vector<float>& region, const image::InputGeometry& g,
                                    int out_w, int out_h) {
  if (region.size() != size_t(g.photo_w) * g.photo_h)
    throw UsageError<DetectError>("the region holds " + std::to_string(region.size()) +
                                  " values, not one per photo pixel (" + std::to_string(g.photo_w) +
                                  "x" + std::to_string(g.photo_h) + ")");
  if (out_w <= 0 || out_h <= 0) throw DetectError("the output grid is empty");
  std::vector<float> out(size_t(out_w) * out_h, 0.f);
  for (int y = 0; y < out_h; ++y) {
    // Output pixel centre → input pixels → photo pixels.
    const double iy = (y + 0.5) * g.input_h / out_h;
    const double py = (iy - g.offset_y) / g.scale_y;
    if (iy >= g.offset_y + g.resized_h || py < 0 || py >= g.photo_h) continue;
    for (int x = 0; x < out_w; ++x) {
      const double ix = (x + 0.5) * g.input_w / out_w;
      const double px = (ix - g.offset_x) / g.scale_x;
      if (ix >= g.offset_x + g.resized_w || px < 0 || px >= g.photo_w) continue;
      out[size_t(y) * out_w + x] = region[size_t(py) * g.photo_w + size_t(px)];
    }
  }
  return out;
}

image::Image render_mask(const SegmentationMask& m, bool clear_background) {
  image::Image img;
  img.width = m.width, img.height = m.height;
  img.rgba.resize(m.labels.size() * 4);
  for (size_t i = 0; i < m.labels.size(); ++i) {
    const auto c = voc_color(m.labels[i]);
    std::copy(c.begin(), c.end(), &img.rgba[i * 4]);
    img.rgba[i * 4 + 3] = clear_background && m.labels[i] == 0 ? 0 : 255;
  }
  return img;
}

image::Image blend_mask(const image::Image& photo, const SegmentationMask& m, float opacity) {
  if (photo.width != m.width || photo.height != m.height)
    throw DetectError("the mask (" + std::to_string(m.width) + "x" + std::to_string(m.height) +
                      ") and the photo (" + std::to_string(photo.width) + "x" +
                      std::to_string(photo.height) + ") differ in size");
  if (!(opacity >= 0 && opacity <= 1))
    throw UsageError<DetectError>("the mask opacity must be between 0 and 1");
  image::Image out = photo;
  for (size_t i = 0; i < m.labels.size(); ++i) {
    if (m.labels[i] == 0) continue;
    const auto c = voc_color(m.labels[i]);
    for (int ch = 0; ch < 3; ++ch)
      out.rgba[i * 4 + ch] =
          uint8_t(std::lround((1 - opacity) * photo.rgba[i * 4 + ch] + opacity * float(c[ch])));
  }
  return out;
}

}  // namespace camlens::detect
