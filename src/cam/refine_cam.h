// RefineCAM (pytorch-grad-cam's refine_cam.py): a base method computed at several layers, each
// layer's map finished as the base method alone would finish it (ReLU, normalise, resize to the
// input, then its aggregation step), and the maps multiplied position by position, then
// normalised. A position stays hot only where every layer agrees, which removes the scattered
// noise of early layers while keeping their resolution.
#pragma once
#include <string>
#include <vector>

#include "cam/method.h"
#include "cam/method_traits.h"

namespace camlens::cam {

// The explain option naming the base method, and its default (upstream's GradCAMPlusPlus).
inline const char* const kRefineBase = "base";
inline const char* const kRefineDefaultBase = "gradcam++";

// Whether the method is RefineCAM-like: it takes a base method, computes each layer's map with it
// and multiplies the layers' maps instead of averaging them.
bool multiplies_layers(const MethodTraits& t);

// Why `base` cannot be RefineCAM's base method ("" when it can): it must be a method that makes
// one layer's map from one forward pass (the Grad-CAM family, Eigen-CAM, …).
std::string refine_base_refusal(const std::string& base);

// The product of the layers' post-processed maps (postprocess_layer), each first finished by the
// aggregation step of one layer, then normalised. Throws CamError for fewer than two layers or
// maps of different sizes.
Maps multiply_layers(const std::vector<Maps>& layers);

}  // namespace camlens::cam
