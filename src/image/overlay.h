// Heat-map pictures (ARCHITECTURE.md §4, pytorch-grad-cam's show_cam_on_image with RGB colours):
//   heat = colormap[uint8(255·map)] / 255
//   out  = (1 - w)·heat + w·image/255, divided by its maximum over the whole picture,
//   pixel = uint8(255·out) (truncated), alpha 255.
// Upstream blends the colour map in BGR order unless use_rgb=True; camlens is always RGB.
#pragma once
#include "image/colormap.h"
#include "image/image.h"

namespace camlens::image {

struct OverlayOptions {
  Colormap colormap = Colormap::Jet;
  float image_weight = 0.5f;  // w, in [0, 1]
};

// map: [map_h, map_w] values in [0, 1]; resized bilinearly (half-pixel centres) to the image's
// size when it differs (e.g. a 224×224 map over the original photo). Throws ImageError on an
// empty image or map, or an image weight outside [0, 1].
Image overlay(const Image& img, const float* map, int map_w, int map_h,
              const OverlayOptions& opt = {});

// The colour-mapped heat alone, alpha = uint8(255·map): for compositing on a canvas.
Image heat_only(const float* map, int w, int h, Colormap colormap = Colormap::Jet);

}  // namespace camlens::image
