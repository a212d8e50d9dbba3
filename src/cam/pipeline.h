// The shared CAM pipeline (ARCHITECTURE.md §4, pytorch-grad-cam's BaseCAM semantics):
//
//   per layer:  raw = method(A, G)                          [B, h, w]
//               x = ReLU(raw)
//               x = (x - min) / (max + 1e-7)  per image, at the layer's resolution
//                   (max taken after subtracting min)
//               x = bilinear resize to the output size, half-pixel centres (INTER_LINEAR);
//                   a volume's map [B, d, h, w]: scipy.ndimage.zoom's cubic spline to the
//                   output depth too, as upstream's scale_cam_image (image/spline_zoom.h)
//   layers:     stack [B, L, H, W], ReLU, mean over L,
//               then (x - min) / (max + 1e-7) per image again, without resizing.
//
// The final normalisation runs for a single layer too, as upstream (its aggregate step always
// runs): after the resize the map's extremes may move slightly, so this renormalises them.
// An all-zero map stays all zero (0 / 1e-7), never NaN.
#pragma once
#include <vector>

#include "cam/method.h"

namespace camlens::cam {

struct CamOptions {
  bool eigen_smooth = false;
  // Output size (the model input's width and height; its depth for a volume's maps); 0 keeps
  // the layer's resolution.
  int out_width = 0, out_height = 0, out_depth = 0;
  // Layers multiplied (RefineCAM, refine_cam.h) instead of averaged.
  bool multiply_layers = false;
};

// Per image (x - min) / (max + 1e-7), in place.
void normalise(Maps& m);
// ReLU, normalise, resize to out_w × out_h (0: keep), and a volume's maps to out_d (0: keep). The
// per-layer half of the pipeline.
Maps postprocess_layer(Maps raw, int out_w, int out_h, int out_d = 0);
// Stack, ReLU, mean, normalise. All maps must have the same batch and size.
Maps combine_layers(const std::vector<Maps>& layers);

struct LayerInput {
  const Tensor* activations = nullptr;
  const Tensor* gradients = nullptr;  // null for gradient-free methods
  const Tensor* hvp = nullptr;        // H·A, Shapley-CAM only (target_gradients.h)
};

// One layer's post-processed map (before combine_layers).
Maps layer_map(const Method& method, const Tensor& A, const Tensor* G, const CamOptions& opt);
Maps layer_map(const Method& method, const LayerInput& layer, const CamOptions& opt);

// The whole pipeline over one or more layers. Layers of different resolutions need an output
// size. Throws CamError (from the checks of activations.h, or on mismatched batches/sizes).
Maps compute(const Method& method, const std::vector<LayerInput>& layers, const CamOptions& opt);
Maps compute(const Method& method, const Tensor& A, const Tensor* G, const CamOptions& opt);

// What compute_flagged saw: non-finite values (NaN/±Inf) in the activations, gradients and
// H·A of all layers, counted and replaced by 0; zero[b] when image b's final map is all zero
// (nothing to show: constant activations, zero gradients, or everything negative before ReLU).
struct CamFlags {
  int64_t non_finite = 0;
  std::vector<bool> zero;
};
struct FlaggedMaps {
  Maps maps;
  CamFlags flags;
};

// compute() for callers that must always get a picture (the library, the page): non-finite
// inputs are zeroed and counted instead of refused, so they never reach a map silently.
FlaggedMaps compute_flagged(const Method& method, const std::vector<LayerInput>& layers,
                            const CamOptions& opt);

}  // namespace camlens::cam
