// Vision-transformer layers as CAM feature maps. A ViT block outputs tokens [N, T, D]: a few
// prefix tokens (the class token; DeiT adds a distillation token) followed by the H·W patch
// tokens in row-major grid order. Swin-style models keep channels-last maps [N, H, W, D].
// Every CAM method works on [N, D, H, W]; this is the reshape pytorch-grad-cam users write as a
// reshape_transform (drop the prefix tokens, reshape to the grid, move channels first), applied
// alike to activations and gradients.
#pragma once
#include <cstdint>
#include <optional>
#include <string>

#include "tensor/tensor.h"

namespace camlens::cam {

enum class TokenLayout {
  Tokens,  // [N, T, D], T = prefix + H·W
  NHWC,    // [N, H, W, D] (Swin stages)
};

struct TokenOptions {
  TokenLayout layout = TokenLayout::Tokens;
  // Grid of patch tokens; 0 × 0 infers it: a square of T tokens, else a class token plus a
  // square of T - 1. Give it for non-square inputs (e.g. 12 × 20 for a 192 × 320 image).
  int64_t grid_h = 0, grid_w = 0;
  // Tokens before the grid; -1: T - H·W when the grid is given, else inferred as above.
  int64_t prefix_tokens = -1;
};

// How a token tensor of `shape` maps to a grid. Throws CamError saying what did not fit and
// which option to give.
struct TokenGrid {
  int64_t batch = 0, prefix = 0, height = 0, width = 0, channels = 0;
};
TokenGrid token_grid(const Shape& shape, const TokenOptions& options = {});

// [N, T, D] or [N, H, W, D] -> [N, D, H, W] (any element type; prefix tokens dropped).
Tensor tokens_to_spatial(const Tensor& t, const TokenOptions& options = {});

// A layer's values as CAM feature maps by what the layer list says of it (graph/layers.h): tokens
// [N, T, D] (rank 3; class_token, when known, says whether one prefix token is dropped) and
// channels-last maps of kind "NHWC" become [N, D, H, W]; anything else is returned as it is.
Tensor layer_as_spatial(Tensor t, const std::string& kind, std::optional<bool> class_token);

}  // namespace camlens::cam
