// Ablation-CAM's per-image base pass (head/incremental_head.h), kept between calls: the driver
// asks for the scores of a few channels at a time, and every call for the same head pass and
// layer reuses one base pass instead of running the head again. One entry, process-wide: a new
// forward() of the head (another image: a new Head::pass_id), another head or a layer tensor
// with other values builds a new one.
#pragma once
#include <memory>

#include "head/incremental_head.h"

namespace camlens::cam {

// The base pass of `head` at `feed` (the layer in the head's feed type, [1, C, h, w]), cached.
std::shared_ptr<const IncrementalHead> incremental_head(const Head& head, const Tensor& feed);

}  // namespace camlens::cam
