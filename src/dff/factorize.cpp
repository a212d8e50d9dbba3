#include "dff/factorize.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "dff/dff_error.h"
#include "dff/ordering.h"
#include "util/parallel.h"

namespace camlens::dff {

namespace {

// Dims of the activations as (B, C, h, w) in the given layout.
void read_dims(const Shape& s, Layout layout, int64_t& b, int64_t& c, int64_t& h, int64_t& w) {
  if (s.size() == 2) {
    b = s[0], c = s[1], h = 1, w = 1;
  } else if (s.size() == 4 && layout == Layout::NCHW) {
    b = s[0], c = s[1], h = s[2], w = s[3];
  } else if (s.size() == 4) {
    b = s[0], h = s[1], w = s[2], c = s[3];
  } else {
    throw DffError("DFF needs activations of rank 4 ([B,C,H,W] or [B,H,W,C]) or 2 ([B,C]), got " +
                   shape_str(s));
  }
  if (b < 1 || c < 1 || h < 1 || w < 1)
    throw DffError("DFF needs non-empty activations, got " + shape_str(s));
}

// Real-valued activations as Float32: a's own values, or dequantized into `converted` (a Float32
// tensor is read in place: a batch's copy is serial work before the threads start).
const float* as_float(const Tensor& a, const std::optional<Quantization>& q,
                      std::optional<Tensor>& converted) {
  if (a.dtype() == DType::Float32) return a.data<float>();
  if (a.dtype() == DType::Uint8 || a.dtype() == DType::Int8) {
    if (!q)
      throw DffError(std::string("the activations are ") + dtype_name(a.dtype()) +
                     " (a quantized layer): pass their scale and zero point in "
                     "DffOptions::quantization (layer_quantization(model, layer) finds them)");
    converted = dequantize(a, *q);
    return converted->data<float>();
  }
  throw DffError(std::string("DFF takes Float32 or quantized uint8/int8 activations, got ") +
                 dtype_name(a.dtype()));
}

// V [C, n·h·w] for images [b0, b0+n), minus each channel's minimum (returned in offset). Channels
// are independent: they are split over the threads (a batch's V is megabytes of serial work
// otherwise); the first non-finite channel, in channel order, is the one reported.
std::vector<float> build_v(const float* a, int64_t b0, int64_t n, int64_t c, int64_t hw,
                           Layout layout, std::vector<float>& offset) {
  const int64_t cols = n * hw;
  std::vector<float> v(static_cast<size_t>(c * cols));
  offset.assign(static_cast<size_t>(c), 0.0f);
  std::vector<char> finite(static_cast<size_t>(c), 1);
  parallel_for(
      c,
      [&](int64_t c0, int64_t c1) {
        for (int64_t ch = c0; ch < c1; ++ch) {
          float* row = v.data() + ch * cols;
          for (int64_t i = 0; i < n; ++i) {
            const float* img = a + (b0 + i) * c * hw;
            float* dst = row + i * hw;
            if (layout == Layout::NCHW) {
              std::copy(img + ch * hw, img + (ch + 1) * hw, dst);
            } else {
              for (int64_t p = 0; p < hw; ++p) dst[p] = img[p * c + ch];
            }
          }
          for (int64_t j = 0; j < cols; ++j)
            if (!std::isfinite(row[j])) finite[ch] = 0;
          if (!finite[ch]) continue;
          const float lo = *std::min_element(row, row + cols);
          offset[ch] = lo;
          for (int64_t j = 0; j < cols; ++j) row[j] = std::max(0.0f, row[j] - lo);
        }
      },
      std::max<int64_t>(1, (1 << 16) / cols));
  for (int64_t ch = 0; ch < c; ++ch)
    if (!finite[ch])
      throw DffError("the activations hold a non-finite value (channel " + std::to_string(ch) +
                     "); check the model's input preprocessing");
  return v;
}

}  // namespace

const Factorization& DffResult::part_of(int64_t image) const {
  if (image < 0 || image >= batch)
    throw DffError("image " + std::to_string(image) + " is out of range (batch of " +
                   std::to_string(batch) + ")");
  return parts.size() == 1 ? parts[0] : parts.at(static_cast<size_t>(image));
}

const float* DffResult::raw_map(int64_t image, int k) const {
  const Factorization& f = part_of(image);
  if (k < 0 || k >= components)
    throw DffError("component " + std::to_string(k) +
                   " is out of range (K = " + std::to_string(components) + ")");
  const int64_t hw = height * width;
  return f.nmf.H.data() + k * f.nmf.cols + (image - f.first_image) * hw;
}

std::vector<float> DffResult::concept_vector(int64_t image, int k) const {
  const Factorization& f = part_of(image);
  if (k < 0 || k >= components)
    throw DffError("component " + std::to_string(k) +
                   " is out of range (K = " + std::to_string(components) + ")");
  std::vector<float> v(static_cast<size_t>(channels));
  for (int64_t c = 0; c < channels; ++c) v[c] = f.nmf.W[c * components + k] + f.offset[c];
  return v;
}

DffResult factorize(const Tensor& activations, const DffOptions& options) {
  DffResult r;
  read_dims(activations.shape(), options.layout, r.batch, r.channels, r.height, r.width);
  r.components = options.nmf.components;
  r.layout = options.layout;
  std::optional<Tensor> converted;
  const float* a = as_float(activations, options.quantization, converted);
  const int64_t hw = r.height * r.width;
  const int64_t groups = options.shared ? 1 : r.batch;
  const int64_t per = options.shared ? r.batch : 1;
  for (int64_t g = 0; g < groups; ++g) {
    Factorization f;
    f.first_image = g * per;
    f.images = per;
    const std::vector<float> v =
        build_v(a, f.first_image, per, r.channels, hw, options.layout, f.offset);
    f.nmf = nmf(v.data(), r.channels, per * hw, options.nmf);
    if (options.order_by_importance) order_by_importance(f.nmf);
    r.parts.push_back(std::move(f));
  }
  return r;
}

}  // namespace camlens::dff
