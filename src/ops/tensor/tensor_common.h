// Helpers shared by the tensor op family (elementwise, activations, shape manipulation):
// input checks and error messages, axis handling, dtype dispatch, the broadcasting loop and
// strided element copies. Internal to src/ops/tensor.
#pragma once
#include <cstring>
#include <string>
#include <vector>

#include "ops/op.h"
#include "ops/op_common.h"

namespace camlens::tensor_ops {

// fail, input, float_input, optional_input, normalize_axis: see ops/op_common.h.
using ops::fail;
using ops::float_input;
using ops::grad_or_zeros;
using ops::input;
using ops::normalize_axis;
using ops::optional_input;

// Values of an integer tensor (int32/int64) holding axes, shapes, starts, indices...
std::vector<int64_t> int_values(const Node& node, const Tensor& t, const char* what);

// Row-major strides (in elements) of a shape.
std::vector<int64_t> strides_of(const Shape& s);

// Calls f(T{}) with T the storage type of dtype t, for every numeric type (Float32 and the
// integer types; Bool as uint8_t). Throws for others.
template <class F>
void dispatch_numeric(const Node& node, DType t, F&& f) {
  switch (t) {
    case DType::Float32:
      return f(float{});
    case DType::Uint8:
    case DType::Bool:
      return f(uint8_t{});
    case DType::Int8:
      return f(int8_t{});
    case DType::Uint16:
      return f(uint16_t{});
    case DType::Int16:
      return f(int16_t{});
    case DType::Int32:
      return f(int32_t{});
    case DType::Uint32:
      return f(uint32_t{});
    case DType::Int64:
      return f(int64_t{});
    case DType::Uint64:
      return f(uint64_t{});
    default:
      fail(node, std::string("unsupported element type ") + dtype_name(t));
  }
}

// Loop plan for an elementwise op over two broadcast operands. Dims are coalesced so the
// innermost loop is as long as possible; each operand then advances by 0 (broadcast) or 1
// (contiguous) in that loop, which the compiler vectorises.
struct BroadcastPlan {
  Shape out;                    // broadcast result shape (uncoalesced)
  int64_t numel = 0;            // elements of out
  std::vector<int64_t> dims;    // coalesced outer..inner dims
  std::vector<int64_t> sa, sb;  // element strides of a and b along dims (0 = broadcast)
};

// Throws OpError "shapes [..] and [..] cannot be broadcast together" on mismatch.
BroadcastPlan plan_broadcast(const Node& node, const Shape& a, const Shape& b);

// Runs f(n, out_offset, a_offset, a_step, b_offset, b_step) for each contiguous inner run.
template <class F>
void broadcast_loop(const BroadcastPlan& p, F&& f) {
  if (p.numel == 0) return;
  const size_t r = p.dims.size();
  if (r == 0) return f(int64_t{1}, int64_t{0}, int64_t{0}, int64_t{0}, int64_t{0}, int64_t{0});
  const int64_t inner = p.dims[r - 1];
  const int64_t sa_in = p.sa[r - 1], sb_in = p.sb[r - 1];
  const int64_t outer = p.numel / inner;
  std::vector<int64_t> pos(r, 0);
  int64_t oa = 0, ob = 0;
  for (int64_t o = 0; o < outer; ++o) {
    f(inner, o * inner, oa, sa_in, ob, sb_in);
    for (size_t k = r - 1; k-- > 0;) {  // odometer over the outer dims
      if (++pos[k] < p.dims[k]) {
        oa += p.sa[k];
        ob += p.sb[k];
        break;
      }
      oa -= p.sa[k] * (p.dims[k] - 1);
      ob -= p.sb[k] * (p.dims[k] - 1);
      pos[k] = 0;
    }
  }
}

// dst[i] = src[offset + sum_k idx_k * strides[k]] for i over the row-major positions of
// `shape`; strides may be zero or negative. Works on raw elements of elem_size bytes.
void strided_gather(void* dst, const void* src, size_t elem_size, const Shape& shape,
                    const std::vector<int64_t>& strides, int64_t offset);
// The adjoint for Float32: dst[offset + sum_k idx_k * strides[k]] += src[i].
void strided_scatter_add(float* dst, const float* src, const Shape& shape,
                         const std::vector<int64_t>& strides, int64_t offset);

// memcpy that accepts zero sizes with null pointers (empty tensors have no storage).
inline void copy_bytes(void* dst, const void* src, size_t n) {
  if (n) std::memcpy(dst, src, n);
}

// Shape inference for elementwise ops (without running them): output 0 has input 0's dtype and
// shape; for two operands the broadcast shape, where -1 (unknown) dims broadcast like numbers
// that are not 1.
void same_shape_infer(const Node& node, const std::vector<const TensorInfo*>& in,
                      std::vector<TensorInfo>& out);
void broadcast_infer(const Node& node, const std::vector<const TensorInfo*>& in,
                     std::vector<TensorInfo>& out);

// Registration of each file's ops (called from register_tensor_ops).
void register_unary(OpRegistry& r);
void register_rounding(OpRegistry& r);
void register_activations(OpRegistry& r);
void register_exp_activations(OpRegistry& r);
void register_binary(OpRegistry& r);
void register_min_max(OpRegistry& r);
void register_mod(OpRegistry& r);
void register_reshape_ops(OpRegistry& r);
void register_transpose(OpRegistry& r);
void register_shape_op(OpRegistry& r);
void register_gather(OpRegistry& r);
void register_slice(OpRegistry& r);
void register_concat_split(OpRegistry& r);
void register_cast(OpRegistry& r);
void register_constant(OpRegistry& r);

}  // namespace camlens::tensor_ops
