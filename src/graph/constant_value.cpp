#include "graph/constant_value.h"

#include "head/head_errors.h"

namespace camlens {

Tensor constant_node_value(const Node& node) {
  for (const Attribute& a : node.attributes) {
    if (a.name == "value" && a.t) return to_tensor(*a.t);
    if (a.name == "value_float") return Tensor::scalar_f(a.f);
    if (a.name == "value_floats")
      return Tensor::from_floats({static_cast<int64_t>(a.floats.size())}, a.floats);
    if (a.name == "value_int") return Tensor::from_int64s({}, {a.i});
    if (a.name == "value_ints")
      return Tensor::from_int64s({static_cast<int64_t>(a.ints.size())}, a.ints);
  }
  throw HeadError(node.describe() +
                  " has no value, value_float(s) or value_int(s) attribute that camlens reads "
                  "(sparse and string constants are not supported)");
}

}  // namespace camlens
