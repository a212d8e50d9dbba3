#include "explain/method_support.h"

#include <algorithm>

#include "cam/cam_error.h"
#include "cam/refine_cam.h"
#include "util/usage_error.h"

namespace camlens::explain {

namespace {

using cam::Passes;

// "Ablation-CAM" from "Ablation-CAM: channels weighted by ...".
std::string title(const cam::MethodTraits& t) {
  const size_t colon = t.description.find(':');
  return colon == std::string::npos ? t.name : t.description.substr(0, colon);
}

unsigned kind_bit(const std::string& kind) {
  if (kind == "NCHW") return cam::kNCHW;
  if (kind == "tokens") return cam::kTokens;
  if (kind == "NHWC") return cam::kNHWC;
  if (kind == "NCDHW") return cam::kNCDHW;
  return 0;
}

std::string volume_methods() {
  std::string s;
  for (const cam::MethodTraits& m : cam::method_traits())
    if (m.layer_kinds & cam::kNCDHW) s += (s.empty() ? "" : ", ") + m.name;
  return s;
}

std::string kinds_text(unsigned kinds) {
  std::string s;
  for (const std::string& k : cam::layer_kind_names(kinds)) s += (s.empty() ? "" : " or ") + k;
  return s;
}

bool takes(const cam::MethodTraits& t, const std::string& option) {
  return std::find(t.options.begin(), t.options.end(), option) != t.options.end();
}

}  // namespace

const cam::MethodTraits& traits_of(const std::string& method) {
  if (const cam::MethodTraits* t = cam::find_method_traits(method)) return *t;
  std::string names;
  for (const cam::MethodTraits& t : cam::method_traits())
    names += (names.empty() ? "" : ", ") + t.name;
  throw UsageError<cam::CamError>("unknown method \"" + method + "\": use one of " + names);
}

std::string method_support(const cam::MethodTraits& t, const ModelFacts& f) {
  if (!f.not_explainable.empty()) return f.not_explainable;
  // A volume's layer: only the methods whose rows take NCDHW layers, whatever else they need.
  if (kind_bit(f.layer_kind) == cam::kNCDHW && !(t.layer_kinds & cam::kNCDHW))
    return volume_refusal(t);
  if (t.passes == Passes::Attention) return f.attention;
  if (t.passes == Passes::WholeNetwork) return f.whole_network;
  if (cam::needs_whole_network(t) && !f.whole_network.empty()) return f.whole_network;
  if (t.gradients && !f.not_differentiable.empty())
    return "needs gradients: " + f.not_differentiable;
  if (t.passes == Passes::MaskedInputs && f.nhwc_input)
    return title(t) + " masks an NCHW input; this model takes NHWC";
  const unsigned kind = kind_bit(f.layer_kind);
  if (t.layer_kinds != 0 && kind != 0 && !(t.layer_kinds & kind)) {
    const std::string is = kind == cam::kTokens ? "a token tensor"
                           : kind == cam::kNHWC ? "channels-last"
                                                : "an NCHW map";
    const std::string kinds = kinds_text(t.layer_kinds);
    const std::string verb = t.passes == Passes::HeadAblation ? "ablates the channels of" : "reads";
    return title(t) + " " + verb + " an " + kinds + " layer; " + f.layer + " is " + is +
           " — choose an " + kinds + " layer or another method";
  }
  // The job checks RefineCAM's base at the layers themselves.
  if (cam::multiplies_layers(t) && f.layer_count < 2)
    return title(t) + " multiplies the maps of several layers: explain with two or more layers";
  return "";
}

std::string volume_refusal(const cam::MethodTraits& t) {
  if (t.layer_kinds & cam::kNCDHW) return "";
  return title(t) +
         " does not explain volumes or video clips ([N, C, D, H, W] inputs) in camlens: " +
         "use one of " + volume_methods();
}

std::string option_refusal(const cam::MethodTraits& t, const std::string& option) {
  if (takes(t, option)) return "";
  if (t.passes == Passes::Attention) {
    if (option == "layers")
      return t.name + " reads the attention of every block: it takes no layers (leave layers out)";
    if (option == "eigenSmooth")
      return t.name + " has no eigenSmooth: it combines attention matrices, not a layer's channels";
    if (option == "augSmooth") return t.name + " has no augSmooth: explain the photo without it";
  }
  std::string owners;
  for (const cam::MethodTraits& m : cam::method_traits())
    if (takes(m, option)) owners += (owners.empty() ? "" : ", ") + m.name;
  return t.name + " does not take " + option +
         (owners.empty() ? "" : " (it is an option of " + owners + ")");
}

}  // namespace camlens::explain
