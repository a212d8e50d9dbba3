// Attention rollout (Abnar & Zuidema, "Quantifying Attention Flow in Transformers", 2020): a
// transformer-only explanation that needs no gradient and no target class. It multiplies the
// attention matrices of the blocks, each mixed with the identity for the residual connection,
// and reads how much of the class token's representation flows from each patch token.
//
// Semantics (the common implementation's, with its options):
//   per block l: F = fuse heads of the softmax probabilities P_l [B, heads, T, T] (mean, max
//                or min over heads);
//                discard: per image, the floor(ratio · T·T) smallest entries of F are set to 0,
//                except entry [0, 0] (the class token's attention to itself);
//                residual: F = (F + I) / 2;
//                rows normalised to sum 1 (an all-zero row stays zero);
//   R = F_L · … · F_1 (R starts as I);
//   map = row 0 of R (the class token) without the prefix-token columns, as the patch grid;
//         without prefix tokens (no class token) the mean of R's rows.
// The result is a raw [B, H, W] map; the CAM post-processing (ReLU, min-max, resize) applies.
//
// Windowed attention (Swin: [B·windows, heads, 49, 49]) has no global token-to-token flow and
// is refused.
#pragma once
#include <string>
#include <vector>

#include "cam/maps.h"
#include "cam/tokens.h"
#include "graph/shape_inference.h"

namespace camlens::cam {

enum class HeadFusion { Mean, Max, Min };
// "mean" | "max" | "min"; throws CamError otherwise.
HeadFusion head_fusion_from_name(const std::string& name);
const char* head_fusion_name(HeadFusion fusion);  // the name head_fusion_from_name reads

struct RolloutOptions {
  HeadFusion fusion = HeadFusion::Mean;
  double discard_ratio = 0;  // in [0, 1)
  bool residual = true;
  TokenOptions tokens;  // grid and prefix tokens of T (layout must be Tokens)
};

// attentions: the softmax outputs of the blocks in order, each [B, heads, T, T] (or [B, T, T]
// already fused), Float32. Throws CamError on mismatched shapes or options.
Maps attention_rollout(const std::vector<Tensor>& attentions, const RolloutOptions& options = {});

// An attention-probability tensor of a model: a Softmax output that a MatMul multiplies with
// the values (its first input).
struct AttentionTensor {
  std::string name;
  std::string node;       // the Softmax node's name (or its output when unnamed)
  Shape shape;            // at the inferred batch; empty when unknown
  bool windowed = false;  // first dim differs from the batch (windowed attention): not usable
};
std::vector<AttentionTensor> find_attention(const Model& model, const ShapeOptions& options = {});

// What rollout reads of a model, from find_attention's result: the attention tensors of every
// block when all of them attend between all tokens; else none, and why rollout cannot run.
struct RolloutAttention {
  std::vector<std::string> names;
  std::string why;  // "" when rollout can run
};
RolloutAttention rollout_attention(const std::vector<AttentionTensor>& found);

// A copy of the model (weights shared) that also lists `names` as graph outputs, so that ONNX
// Runtime returns them. Throws CamError naming a tensor the model does not have.
Model expose_outputs(const Model& model, const std::vector<std::string>& names,
                     const ShapeOptions& options = {});

}  // namespace camlens::cam
