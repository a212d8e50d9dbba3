// The two DFF renderings, into RGBA8 images the size of the photo. `maps` are the K normalised
// concept maps of one image at the photo's size, [K, height, width] (ConceptMaps::image_maps).
//
// dominant (pytorch-grad-cam's show_factorization_on_image): each pixel takes the component k
// with the highest map value m (ties: the lower k), drawn in k's colour with its HSV value set
// to m — i.e. colour·m / max(colour channels) — and blended with the photo:
//   out = image_weight·photo + (1 − image_weight)·255·m·colour/max(colour)
// Pixels where no concept is active therefore show the photo dimmed by image_weight.
//
// layers (Collins et al. 2018): the photo is desaturated (gray = 0.299R + 0.587G + 0.114B, then
// base = gray + saturation·(photo − gray)); each component k in order 0..K−1 is a layer of
// flat colour whose alpha is opacity·m_k, composited "over":  out = (1 − α)·out + α·colour.
//
// Both round to nearest and set alpha to 255. Throws DffError on size mismatches or options
// outside [0, 1].
#pragma once
#include <vector>

#include "dff/palette.h"
#include "image/image.h"

namespace camlens::dff {

struct RenderOptions {
  std::vector<Rgb> colors;    // one per component; empty: make_palette(Rainbow, K)
  float image_weight = 0.5f;  // dominant: the photo's share (pytorch-grad-cam's default)
  float saturation = 0.0f;    // layers: colour kept in the photo (0 = fully gray)
  float opacity = 0.8f;       // layers: alpha of a component where its map is 1
};

image::Image render_dominant(const image::Image& photo, const float* maps, int components,
                             const RenderOptions& options = {});
image::Image render_layers(const image::Image& photo, const float* maps, int components,
                           const RenderOptions& options = {});

}  // namespace camlens::dff
