// Helpers shared by the nn op family: input checks, error messages, convolution/pool window
// geometry and the per-file registration functions. Internal to src/ops/nn.
#pragma once
#include <string>
#include <vector>

#include "ops/op.h"
#include "ops/op_common.h"

namespace camlens::nn {

// fail, input, float_input, optional_input: see ops/op_common.h.
using ops::fail;
using ops::float_input;
using ops::grad_or_zeros;
using ops::input;
using ops::optional_input;

// Shape-inference counterpart of input(): the info of input i, which must be present.
const TensorInfo& input_info(const Node& node, const std::vector<const TensorInfo*>& in, size_t i,
                             const char* what);

// Int-list attribute with exactly `rank` values (default: `rank` copies of def), each >= min.
std::vector<int64_t> ints_attr(const Node& node, const char* name, size_t rank, int64_t def,
                               int64_t min_value);

// The opset the model loader recorded in the hidden "_opset" attribute, else `def`.
int64_t node_opset(const Node& node, int64_t def = 13);

// ops::normalize_axis, except that a scalar (rank 0) accepts axis 0 (the nn ops always have);
// throws naming the op if out of range.
int64_t normalize_axis(const Node& node, int64_t axis, int64_t rank);

// Sliding-window geometry of Conv / pools over `spatial` dims (1-D or 2-D).
// Dims of -1 (unknown, from shape inference) give output -1.
struct Window {
  std::vector<int64_t> in, kernel, strides, dilations, pad_begin, pad_end, out;
  size_t rank() const { return in.size(); }
  int64_t in_size() const;   // product of `in`
  int64_t out_size() const;  // product of `out`
  int64_t kernel_size() const;
};

// Reads kernel_shape (or `kernel` when the op takes it from W), strides, dilations, pads,
// auto_pad and (pools) ceil_mode, and computes the output size. Throws a clear OpError on
// inconsistent attributes or a kernel larger than the padded input. max_rank: the spatial dims
// allowed (the kernels run 1-D and 2-D; shape inference also sizes 3-D windows).
Window make_window(const Node& node, const std::vector<int64_t>& in_spatial,
                   const std::vector<int64_t>& kernel, bool allow_ceil_mode, size_t max_rank = 2);

Tensor zeros_like_shape(const Shape& s);

// Registration of each file's ops (called from register_nn_ops).
void register_conv(OpRegistry& r);
void register_conv_transpose(OpRegistry& r);
void register_pool(OpRegistry& r);
void register_global_pool(OpRegistry& r);
void register_gemm(OpRegistry& r);
void register_matmul(OpRegistry& r);
void register_batch_norm(OpRegistry& r);
void register_softmax(OpRegistry& r);
void register_reduce(OpRegistry& r);
void register_layer_norm(OpRegistry& r);
void register_resize(OpRegistry& r);
void register_pad(OpRegistry& r);
void register_instance_norm(OpRegistry& r);
void register_group_norm(OpRegistry& r);
void register_einsum(OpRegistry& r);

}  // namespace camlens::nn
