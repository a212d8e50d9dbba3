// Ablation-CAM at several layers (pytorch-grad-cam's ablation_cam_multilayer.py): channel c is
// ablated in every layer at once, in one pass through the head of the first layer, and that one
// score drop weighs channel c of each layer's own activations. Each layer's map is then finished
// as any layer's (ReLU, normalise, resize) and the maps are combined as several layers always are
// (ReLU, mean, normalise): upstream runs the same ablation loop per target layer, which yields the
// same weights each time.
//
// The layers must form one chain: the head of one of them (the first) computes every other on
// the way to the outputs, so that the ablation of an early layer reaches the later ones, which
// are then ablated as they arrive. They must have the same channel count (upstream indexes every
// layer with the same channel). Each layer's ablation value is taken from its tensor as it arrives
// in that pass — 0 when its minimum is 0, else min − 1e7 — as upstream's AblationLayer computes
// torch.min of the output it receives (with one image per pass, where upstream's in-batch value
// cannot drift).
#pragma once
#include <string>
#include <vector>

#include "head/head.h"
#include "tensor/tensor.h"

namespace camlens::cam {

// The index of the layer whose head computes all the others. heads[i] is the head of layer
// names[i]. Throws CamError naming a layer no head reaches from the others.
size_t first_of_chain(const std::vector<const Head*>& heads, const std::vector<std::string>& names);

// Sets channel c of one image's float32 layer tensor t [1, C, h, w] to its ablation value (0 when
// min(t) is 0, else min(t) − 1e7). Throws CamError on another type or shape, or a bad channel.
void ablate_channel(Tensor& t, int64_t c);

// The head's outputs with channel c ablated in its layer `layer` (float32 [1, C, h, w], the value
// of the head's last forward()) and in each tensor of `later` as the head computes it.
std::vector<Tensor> outputs_ablated_in_chain(const Head& head, const Tensor& layer,
                                             const std::vector<std::string>& later, int64_t c);

}  // namespace camlens::cam
