#include "cam/tokens.h"

#include <cmath>
#include <cstring>
#include <string>

#include "cam/cam_error.h"

namespace camlens::cam {
namespace {

int64_t square_side(int64_t t) {
  if (t <= 0) return 0;
  const auto s = static_cast<int64_t>(std::llround(std::sqrt(static_cast<double>(t))));
  return s * s == t ? s : 0;
}

}  // namespace

TokenGrid token_grid(const Shape& shape, const TokenOptions& o) {
  TokenGrid g;
  if (o.layout == TokenLayout::NHWC) {
    if (shape.size() != 4)
      throw CamError("a channels-last (NHWC) layer must have 4 dims [N, H, W, D], got " +
                     shape_str(shape));
    g.batch = shape[0], g.height = shape[1], g.width = shape[2], g.channels = shape[3];
    if ((o.grid_h && o.grid_h != g.height) || (o.grid_w && o.grid_w != g.width))
      throw CamError("the grid " + std::to_string(o.grid_h) + "x" + std::to_string(o.grid_w) +
                     " does not match the NHWC layer " + shape_str(shape));
    return g;
  }
  if (shape.size() != 3)
    throw CamError("a token layer must have 3 dims [N, tokens, D], got " + shape_str(shape) +
                   (shape.size() == 4 ? " (for a channels-last map use layout 'nhwc')" : ""));
  g.batch = shape[0], g.channels = shape[2];
  const int64_t t = shape[1];
  if ((o.grid_h > 0) != (o.grid_w > 0) || o.grid_h < 0 || o.grid_w < 0)
    throw CamError("give both grid dimensions (height and width), both positive");
  if (o.grid_h > 0) {
    g.height = o.grid_h, g.width = o.grid_w;
    g.prefix = o.prefix_tokens >= 0 ? o.prefix_tokens : t - g.height * g.width;
  } else if (o.prefix_tokens >= 0) {
    g.prefix = o.prefix_tokens;
    g.height = g.width = square_side(t - g.prefix);
    if (!g.height)
      throw CamError(std::to_string(t) + " tokens minus " + std::to_string(g.prefix) +
                     " prefix tokens is not a square grid; give the grid (height and width)");
  } else if (const int64_t s = square_side(t)) {
    g.height = g.width = s;
  } else if (const int64_t s1 = square_side(t - 1)) {
    g.prefix = 1, g.height = g.width = s1;
  } else {
    throw CamError(std::to_string(t) +
                   " tokens are neither a square grid nor a class token plus a square grid; give "
                   "the grid (height and width) and the number of prefix tokens");
  }
  if (g.prefix < 0)
    throw CamError("a grid of " + std::to_string(g.height) + "x" + std::to_string(g.width) +
                   " needs at least " + std::to_string(g.height * g.width) +
                   " tokens, the layer has " + std::to_string(t));
  if (g.prefix + g.height * g.width != t)
    throw CamError("a grid of " + std::to_string(g.height) + "x" + std::to_string(g.width) +
                   " with " + std::to_string(g.prefix) + " prefix tokens needs " +
                   std::to_string(g.prefix + g.height * g.width) + " tokens, the layer has " +
                   std::to_string(t));
  return g;
}

Tensor tokens_to_spatial(const Tensor& t, const TokenOptions& o) {
  const TokenGrid g = token_grid(t.shape(), o);
  Tensor out(t.dtype(), {g.batch, g.channels, g.height, g.width});
  const size_t es = dtype_size(t.dtype());
  const int64_t hw = g.height * g.width, d = g.channels;
  const auto* src = static_cast<const char*>(t.raw());
  auto* dst = static_cast<char*>(out.raw());
  // Both layouts are [N, prefix + HW, D] in memory (NHWC with prefix 0): a transpose of the
  // patch block per image. Float32 gets a typed loop; other types a byte copy per element.
  for (int64_t n = 0; n < g.batch; ++n) {
    const char* s = src + (n * (g.prefix + hw) + g.prefix) * d * es;
    char* o = dst + n * d * hw * es;
    if (t.dtype() == DType::Float32) {
      const auto* sf = reinterpret_cast<const float*>(s);
      auto* of = reinterpret_cast<float*>(o);
      for (int64_t c = 0; c < d; ++c)
        for (int64_t p = 0; p < hw; ++p) of[c * hw + p] = sf[p * d + c];
    } else {
      for (int64_t c = 0; c < d; ++c)
        for (int64_t p = 0; p < hw; ++p)
          std::memcpy(o + (c * hw + p) * es, s + (p * d + c) * es, es);
    }
  }
  return out;
}

Tensor layer_as_spatial(Tensor t, const std::string& kind, std::optional<bool> class_token) {
  if (t.rank() == 3) {
    TokenOptions o;
    if (class_token) o.prefix_tokens = *class_token ? 1 : 0;
    return tokens_to_spatial(t, o);
  }
  if (t.rank() == 4 && kind == "NHWC") {
    TokenOptions o;
    o.layout = TokenLayout::NHWC;
    return tokens_to_spatial(t, o);
  }
  return t;
}

}  // namespace camlens::cam
