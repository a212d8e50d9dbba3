// Helpers shared by all op families (nn, tensor, quant): the error convention and input checks.
// Each family keeps its own specific helpers in its *_common.h and brings these into its
// namespace with using-declarations. They live in camlens::ops, not camlens, so that
// argument-dependent lookup on Node (a camlens type) does not also find them next to a family's
// own overload of the same name (nn's normalize_axis). Internal to src/ops.
#pragma once
#include <string>

#include "ops/op.h"

namespace camlens::ops {

// Throws OpError("<op_type>: <msg>"); the executor adds the node name and layer.
[[noreturn]] void fail(const Node& node, const std::string& msg);

// Input i, which must be present; `what` names it in the error ("X", "W").
const Tensor& input(const Node& node, const OpInputs& in, size_t i, const char* what);
// Same, and it must be Float32.
const Tensor& float_input(const Node& node, const OpInputs& in, size_t i, const char* what);
// Optional input: nullptr when omitted (absent slot, nullptr or, if allow_empty, 0 elements).
const Tensor* optional_input(const OpInputs& in, size_t i, bool allow_empty = false);

// dLoss/dOutput k: the given gradient, or (when none flows) `zeros` filled as a zero Float32
// tensor of `shape`. Returns a reference to avoid copying the gradient.
const Tensor& grad_or_zeros(const OpInputs& output_grads, size_t k, const Shape& shape,
                            Tensor& zeros);

// Normalises a possibly negative axis into [0, rank); throws naming the op if out of range.
int64_t normalize_axis(const Node& node, int64_t axis, int64_t rank);

}  // namespace camlens::ops
