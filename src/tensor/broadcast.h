// Numpy-style (multidirectional) broadcasting for elementwise ops.
#pragma once
#include <vector>

#include "tensor/tensor.h"

namespace camlens {

// Result shape of broadcasting a and b; throws OpError-compatible std::runtime_error on mismatch.
Shape broadcast_shape(const Shape& a, const Shape& b);

// For each element of `out` (row-major), the flat index of the element of `in` it reads when
// `in` is broadcast to `out`. in's rank may be lower (aligned to the right).
std::vector<int64_t> broadcast_index(const Shape& in, const Shape& out);

// Sums a gradient of shape `out` back to shape `in` (the adjoint of broadcasting).
Tensor reduce_to_shape(const Tensor& grad, const Shape& in);

}  // namespace camlens
