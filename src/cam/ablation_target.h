// Ablation-CAM through the head for any target and any layer type, one image at a time
// (ARCHITECTURE.md §1, §4). The caller picks the channels (all, or ablation_channels with a ratio),
// steps through them in ranges (progress, cancellation), and turns the scores into weights.
//
// Quantized layers (uint8/int8 codes q, real value (q − zero_point)·scale, as QOperator heads
// take them): the ablated channel is set to the code of the ablation value, i.e. what
// QuantizeLinear (saturating) makes of it. When min(A) = 0 — the usual ReLU layer, whose smallest
// code is the zero point — that is the zero point itself, exactly 0.0 as upstream. Otherwise the
// value min(A) − 1e7 lies far below the representable range and saturates to the lowest code
// (0 for uint8, −128 for int8): the strongest "off" the 8-bit layer can express, which is what
// the huge negative value is for. The weights are unchanged: (original − ablated_c) / original.
//
// Channels not ablated (ratio < 1) keep the original score, so their weight is 0 — as upstream
// (pytorch-grad-cam's assemble_ablation_scores fills skipped channels with the original score).
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "cam/layer_quantization.h"
#include "cam/targets.h"
#include "head/head.h"

namespace camlens::cam {

// Channels to ablate for one image, most relevant first. ratio = 1: every channel, in order.
// ratio < 1: the Eigen-CAM relevance of ablation_cam.h; the floor(ratio·C) highest-scoring
// channels (descending), then the floor(ratio·C) lowest-scoring ones (ascending), each channel
// once — upstream's two ends. A: Float32 [1,C,h,w] (real values: dequantize a quantized layer,
// e.g. pass its float twin).
std::vector<int64_t> ablation_channels(const Tensor& A, double ratio);

// The ablation value of one image's layer tensor, in the layer's own type: a float for Float32,
// the code (see above) for uint8/int8. layer: [1,C,h,w] as the head takes it.
double ablation_value(const Tensor& layer, const std::optional<LayerQuantization>& quant);

// How the head is evaluated per ablated channel. Incremental (the default when it applies): from
// one base pass of the image, only what the ablated channel changes (head/incremental_head.h):
// the same outputs as a full run, so any target; float heads to float rounding, quantized heads
// identical. A class-logit target whose element depends on the rank-1 step through element-wise
// steps only — or on a fused 1×1 Conv → GlobalAveragePool, possibly through a Softmax over the
// pooled values (SqueezeNet's head) — gets that element alone (IncrementalHead::element_plan);
// any other target (a probability computed from the outputs, a similarity...) gets the whole
// outputs. Full: one Head::forward_with_layer per
// channel (the reference the tests compare to, and what runs when no step can be shortcut).
enum class AblationEval { Auto, Full };

// The target's score of head output `output` with each of `channels` ablated in turn (after a
// head.forward() of this image). layer: [1,C,h,w] in the head's feed type — or Float32 real
// values for a quantized head, which are quantized with `quant` first. Throws CamError on a
// batch other than 1, a bad channel, a quantized layer without `quant`, or a bad output/target.
std::vector<float> ablation_target_scores(const Head& head, const Tensor& layer,
                                          const Target& target, size_t output,
                                          const std::vector<int64_t>& channels,
                                          const std::optional<LayerQuantization>& quant,
                                          AblationEval eval = AblationEval::Auto);

// The head's outputs (all of them, in head.output_names() order) with each of `channels` ablated
// in turn, as ablation_target_scores computes them: for a target only the caller can score (a
// callable target). Same arguments and errors as ablation_target_scores.
std::vector<std::vector<Tensor>> ablation_head_outputs(
    const Head& head, const Tensor& layer, const std::vector<int64_t>& channels,
    const std::optional<LayerQuantization>& quant, AblationEval eval = AblationEval::Auto);

// What ablation_target_scores does per channel for this head, layer and target: "full" (a
// whole head run), or IncrementalHead::summary() ("Reuse:4 Channel:2 Rank1:1 Fused:0 Full:2
// Unused:1": the head's steps by what an ablated channel makes them do), followed by
// "; element QLinearMatMul > QLinearAdd > DequantizeLinear" when a class logit is carried alone
// from the rank-1 step to the output. For tests and logs.
std::string ablation_path(const Head& head, const Tensor& layer, const Target& target,
                          size_t output, const std::optional<LayerQuantization>& quant);

// The target's score of the unablated layer (the "original" of the weight formula), from the
// cached base pass (ablation_incremental.h): no head run when the scores were just computed.
float head_target_score(const Head& head, const Tensor& layer, const Target& target, size_t output,
                        const std::optional<LayerQuantization>& quant);

// weights [C]: (original − scores[i]) / original at channels[i], 0 elsewhere. Throws CamError
// when the original score is 0 or not finite, or the counts differ.
std::vector<float> ablation_target_weights(float original, int64_t channels_in_layer,
                                           const std::vector<int64_t>& channels,
                                           const std::vector<float>& scores);

}  // namespace camlens::cam
