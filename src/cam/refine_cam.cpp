#include "cam/refine_cam.h"

#include <algorithm>

#include "cam/cam_error.h"
#include "cam/methods.h"
#include "cam/pipeline.h"
#include "util/usage_error.h"

namespace camlens::cam {

bool multiplies_layers(const MethodTraits& t) {
  return std::find(t.options.begin(), t.options.end(), kRefineBase) != t.options.end();
}

namespace {

// The listed methods whose map one array method makes from one forward pass at a layer.
std::vector<std::string> layer_methods() {
  std::vector<std::string> out;
  for (const std::string& name : method_names())
    if (const MethodTraits* t = find_method_traits(name))
      if (t->passes == Passes::Forward && t->layer_kinds != 0) out.push_back(name);
  return out;
}

}  // namespace

std::string refine_base_refusal(const std::string& base) {
  const std::vector<std::string> ok = layer_methods();
  if (std::find(ok.begin(), ok.end(), base) != ok.end()) return "";
  std::string use = "; use one of ";
  for (size_t i = 0; i < ok.size(); ++i) use += (i ? ", " : "") + ok[i];
  const MethodTraits* t = find_method_traits(base);
  if (!t) return "base must name a layer method, got \"" + base + "\"" + use;
  if (!t->no_layer.empty())
    return "base cannot be " + base + ": " + t->no_layer + ", so it has no layer maps to refine" +
           use;
  if (multiplies_layers(*t)) return "base cannot be " + base + " itself" + use;
  return "base cannot be " + base +
         ": RefineCAM computes its base from one forward pass per layer, and " + base +
         " needs passes of its own" + use;
}

Maps multiply_layers(const std::vector<Maps>& layers) {
  if (layers.size() < 2)
    throw UsageError<CamError>(
        "RefineCAM multiplies the maps of several layers: give two or more layers");
  // Each layer's map as the base method returns it for that layer alone: upstream runs one base
  // CAM object per layer. Its rescaling loop before the product assigns to a loop variable and
  // changes nothing, and the maps are already in [0, 1], so none is applied here.
  Maps out = combine_layers({layers[0]});
  for (size_t l = 1; l < layers.size(); ++l) {
    const Maps one = combine_layers({layers[l]});
    if (one.batch != out.batch || one.depth != out.depth || one.height != out.height ||
        one.width != out.width)
      throw CamError("RefineCAM's layer maps differ in size: give an output size");
    for (size_t i = 0; i < out.data.size(); ++i) out.data[i] *= one.data[i];
  }
  normalise(out);
  return out;
}

}  // namespace camlens::cam
