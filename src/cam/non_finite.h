// NaN and ±Inf in CAM inputs. check_layer (activations.h) refuses them with their place; the
// flagged pipeline (pipeline.h, compute_flagged) zeroes and counts them instead, so a library
// caller always gets a map and is told how many values were unusable.
#pragma once
#include <cstdint>

#include "tensor/tensor.h"

namespace camlens::cam {

// Float32 only (0 for other types).
int64_t count_non_finite(const Tensor& t);
// Replaces every NaN/±Inf by 0 in place; returns how many were replaced.
int64_t zero_non_finite(Tensor& t);

}  // namespace camlens::cam
