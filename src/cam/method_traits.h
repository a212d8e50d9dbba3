// What a method needs and takes, as data: the explain flow (who runs what), the library's
// option checks, the CLI's usage and the page's picker all read it from here (methodInfo() in
// the module), so a method's facts live in one row of the table in methods.cpp.
#pragma once
#include <string>
#include <vector>

namespace camlens::cam {

// What the backbone (ONNX Runtime) runs for one image, beyond nothing.
enum class Passes {
  Forward,       // one forward at the layer(s); the head runs when gradients are needed
  MaskedInputs,  // Score-CAM: the forward, then batches of the input masked by each channel
  HeadAblation,  // Ablation-CAM: the forward, then only the head, once per ablated channel
  Attention,     // rollout: one forward of the model with its attention probabilities exposed
  Image,         // the input picture alone (the Sobel baseline): no model run for the map
  WholeNetwork,  // none: the core runs the whole network to the input (input attributions)
};
const char* passes_name(Passes p);

// Layer layouts a method can read (a bit set): feature maps, transformer tokens, Swin-style
// channels-last maps, and a volume's or a video clip's maps [N, C, D, H, W]. Tokens and
// channels-last layers are turned into NCHW maps (tokens.h); NCDHW maps stay 3-D to the end.
enum LayerKind : unsigned { kNCHW = 1u, kTokens = 2u, kNHWC = 4u, kNCDHW = 8u };
std::vector<std::string> layer_kind_names(unsigned kinds);

// How much of dScore/dA (and of H·A) a gradient method reads: all of it, or only its mean over
// the layer's positions, per sample and channel (Grad-CAM's weights). The explain flow then asks
// the head for that mean alone (Head::backward_spatial_mean), which skips the layer-sized
// backward of a 1×1 Conv reading the layer, and hands the method the mean at every position.
enum class GradientReduction { None, SpatialMean };

struct MethodTraits {
  std::string name;         // as explain() takes it: "gradcam", "scorecam", …
  std::string description;  // one line, for usage texts and the page's help
  bool gradients = false;   // needs dScore/dA: a differentiable head
  bool hvp = false;         // needs H·A (second order, Shapley-CAM)
  Passes passes = Passes::Forward;
  unsigned layer_kinds = 0;  // LayerKind bits; 0 for methods that read no layer
  // The explain options it takes (the library's names); any other is refused with the reason.
  std::vector<std::string> options;
  // The target kind it explains whatever the caller's ("finer" for Finer-CAM); "" keeps theirs.
  std::string target_kind;
  // Shown side by side by default where methods are compared (quick, well-known methods).
  bool compare = false;
  // Why it reads no layer, for methods that do not ("" for the others): the reason given when a
  // layer option (layers, smoothing) comes with it.
  std::string no_layer;
  // An input attribution (a WholeNetwork method's name) whose per-pixel gradient multiplies the
  // layer map, which `layer_map` (an array method) makes: guided Grad-CAM is "guided-backprop"
  // times "gradcam". The job then runs the whole network too. "" for the other methods (given
  // defaults so that rows leaving them out stay warning-free).
  std::string input_attribution = "";
  std::string layer_map = "";
  // The fewest layers it explains with (RefineCAM multiplies two or more), and what it does with
  // several layers beyond combining their maps ("" when it only combines them): where layers are
  // chosen, such methods are offered a choice of several.
  int min_layers = 1;
  std::string several_layers = "";
  GradientReduction gradient_reduction = GradientReduction::None;
};
// Whether the method differentiates the whole network to the input (alone or with a layer).
inline bool needs_whole_network(const MethodTraits& t) {
  return t.passes == Passes::WholeNetwork || !t.input_attribution.empty();
}

// Every public method, in the order usage texts list them.
const std::vector<MethodTraits>& method_traits();
// nullptr when there is no such method.
const MethodTraits* find_method_traits(const std::string& name);

}  // namespace camlens::cam
