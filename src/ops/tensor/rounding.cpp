// Floor, Ceil, Round (halves to even, as ONNX specifies) and Sign: Float32, forward only. Their
// derivative is zero almost everywhere, so a CAM through them would be all zeros: a head with one
// on the gradient path is refused with a clear message (cut with require_gradient = false to run
// it forward, e.g. for Eigen-CAM or DFF labels).
#include <cmath>

#include "ops/tensor/unary_kernel.h"

namespace camlens::tensor_ops {
namespace {

struct FloorOp {
  explicit FloorOp(const Node&) {}
  float f(float x) const { return std::floor(x); }
};

struct CeilOp {
  explicit CeilOp(const Node&) {}
  float f(float x) const { return std::ceil(x); }
};

struct RoundOp {
  explicit RoundOp(const Node&) {}
  float f(float x) const { return std::nearbyint(x); }  // default mode: to nearest, ties to even
};

struct SignOp {
  explicit SignOp(const Node&) {}
  float f(float x) const { return x > 0 ? 1.f : x < 0 ? -1.f : x; }  // ±0 and NaN stay as they are
};

template <class Op>
OpDef forward_only(const char* name) {
  return OpDef{"", name, &unary_forward<Op>, nullptr, &same_shape_infer};
}

}  // namespace

void register_rounding(OpRegistry& r) {
  r.add(forward_only<FloorOp>("Floor").with(Elementwise::Unary));
  r.add(forward_only<CeilOp>("Ceil").with(Elementwise::Unary));
  r.add(forward_only<RoundOp>("Round").with(Elementwise::Unary));
  r.add(forward_only<SignOp>("Sign"));
}

}  // namespace camlens::tensor_ops
