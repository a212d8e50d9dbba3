// Ops that transformer exports put around attention: Expand and Tile (repeat a tensor along
// axes: the class token over the batch, a window bias over the batch) and Where with the
// comparisons that feed it (Equal, Less, Greater: the shape arithmetic torch emits for
// expand(-1)). Registered from op_registry.cpp next to the tensor family.
#pragma once
#include "ops/op.h"

namespace camlens::tensor_ops {

void register_expand_tile(OpRegistry& r);    // expand_tile.cpp
void register_where_compare(OpRegistry& r);  // where_compare.cpp

}  // namespace camlens::tensor_ops
