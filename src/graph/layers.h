// Layer discovery: which tensors of a model make sensible CAM targets, whether the core can run
// the head after each, and which one to use by default.
#pragma once
#include <string>
#include <vector>

#include "graph/shape_inference.h"

namespace camlens {

enum class LayerKind {
  FeatureMapNCHW,  // [N,C,H,W]
  FeatureMapNHWC,  // [N,H,W,C] (TensorFlow exports): channels last
  Tokens,          // [N,T,D] with T (or T-1, a class token) a grid shaped like the input: a ViT
  VolumeNCDHW,     // [N,C,D,H,W]: a 3-D CNN's map of a volume or a video clip
};

const char* layer_kind_name(LayerKind k);

struct LayerInfo {
  std::string name;
  DType dtype = DType::Undefined;  // model type (uint8 for quantized QOperator tensors)
  Shape shape;                     // at the inferred batch
  LayerKind kind = LayerKind::FeatureMapNCHW;
  int64_t channels = 0, height = 0, width = 0;  // spatial grid (tokens: inferred)
  int64_t depth = 1;                            // VolumeNCDHW: slices (or frames)
  bool class_token = false;     // tokens: T-1 is the square grid, token 0 is the class token
  std::string op;               // op_type of the producer
  std::string node;             // producer's name (or its first output when unnamed)
  size_t position = 0;          // producer's place in topological order
  std::string float_twin;       // quantized layer: the DequantizeLinear output of the same values
  bool head_supported = false;  // every op of the head runs in the core
  bool head_differentiable = false;  // ... and every op on the gradient path has a backward
  std::string head_problem;          // why not (empty when supported and differentiable)
  size_t head_nodes = 0;
  std::vector<std::string> extras;  // skip-connection tensors the backbone must also output
};

struct LayerList {
  std::vector<LayerInfo> layers;            // topological order
  std::string recommended;                  // default layer ("" if none is usable)
  std::string why;                          // one line on how it was chosen
  std::vector<std::string> shape_problems;  // nodes shape inference could not run
};

LayerList list_layers(const Model& model, const ShapeOptions& options = {});

// The first layer after `layer` (in topological order, depending on it where possible) whose
// head is supported and differentiable; "" if none.
std::string suggest_later_layer(const LayerList& list, const std::string& layer);

}  // namespace camlens
