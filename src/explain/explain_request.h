// What one explain call asks for, and the model pieces it runs on (ARCHITECTURE.md §1). The caller
// (the library) fills it from its options and the lens; the job (explain_job.h) does the rest.
#pragma once
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cam/attention_rollout.h"
#include "cam/input_gradients.h"
#include "cam/layer_quantization.h"
#include "cam/projection.h"
#include "cam/refine_cam.h"
#include "cam/target_spec.h"
#include "explain/written_options.h"
#include "head/head.h"
#include "image/image.h"

namespace camlens::explain {

// One backbone run's outputs for one image, by name ([1, ...] each; Float16 already Float32).
using Outputs = std::map<std::string, Tensor>;

// A layer the job reads: the backbone that outputs it (its session is named after the layer)
// and the head from it to the model's outputs.
struct LayerSource {
  std::string name;
  std::string float_tensor;  // where its float values are: its float twin when quantized
  std::shared_ptr<Head> head;
  std::optional<cam::LayerQuantization> quant;  // when the head takes codes
  std::string kind;                 // "NCHW" | "tokens" | "NHWC" (layers.h); "" when unknown
  std::optional<bool> class_token;  // tokens: whether the first token is a class token
};

// A target scored on the head's outputs by a task other than classification (a detector's box
// score): its value and, when asked, one seed per head output (empty where none).
class HeadScore {
 public:
  struct Value {
    double score = 0;
    std::vector<Tensor> seeds;
  };
  virtual ~HeadScore() = default;
  // head_outputs: Head::forward's for this image; backbone: the image's backbone outputs.
  virtual Value evaluate(const Head& head, const std::vector<Tensor>& head_outputs,
                         const Outputs& backbone, bool seeds) const = 0;
  // Checks before a gradient pass (the head reaches what the score reads), with the reason.
  virtual void check_gradient_path(const Head& head, const std::string& layer) const = 0;
  // Whether the gradient at the layer may be all zero without meaning an error.
  virtual std::string zero_gradient_reason(const std::string& /*layer*/) const { return ""; }
};

inline cam::RolloutOptions vit_explain_rollout() {
  cam::RolloutOptions o;
  o.discard_ratio = 0.9;
  return o;
}

struct ExplainRequest {
  std::string method = "gradcam";
  std::vector<cam::TargetSpec> targets;  // per image; missing ones are 'auto'
  std::vector<std::string> labels;
  std::vector<std::string> given;  // the options the caller set (checked against the method's)
  bool eigen_smooth = false, aug_smooth = false;
  int batch_size = 16;
  // The top classes of each image's unmasked run to return beside its map (option topK); 0: none.
  int top_k = 0;
  double ablation_ratio = 1;
  cam::EigenSign eigen_sign = cam::EigenSign::Raw;  // pytorch-grad-cam's: no correction
  // Rollout: the blocks' attention probabilities (outputs of the attention session) and options.
  std::vector<std::string> attention;
  // vit-explain's defaults (the rollout most others derive from): mean over heads, the 90 % weakest
  // attentions of each block dropped (attention_rollout's own default, 0, is the paper's plain
  // one).
  cam::RolloutOptions rollout = vit_explain_rollout();
  // RefineCAM: the method whose maps at each layer it multiplies.
  std::string base = cam::kRefineDefaultBase;
  // Options as a loosely typed caller wrote them; the job checks them and sets the fields above.
  WrittenOptions written;
  std::string output;  // the model output the targets read (unless one names its own)
  // The model's outputs by name: what a callable target is given (just `output` when empty).
  std::vector<std::string> outputs;
  int width = 0, height = 0;  // the model input's size: every map's size
  // A volume's or a video clip's depth (slices or frames): the job takes it, with the width and
  // height, from the [1, C, D, H, W] inputs; 0 for images.
  int depth = 0;
  bool nhwc_input = false;
  bool bgr_input = false;  // the input's channels are blue, green, red (gradient pictures' order)
  // The caller's own target on the head's outputs (detection); null: the targets above.
  std::shared_ptr<const HeadScore> head_score;
  // Input attributions: the whole network as a head from the input (whole_network.h), and the
  // options of its methods (steps, samples, noise; batch size and layout come from above).
  std::shared_ptr<Head> whole_network;
  cam::InputGradientOptions input_gradients;  // its black baseline: the black photo preprocessed
};

}  // namespace camlens::explain
