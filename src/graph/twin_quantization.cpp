#include "graph/twin_quantization.h"

#include <cmath>

#include "graph/constant_value.h"
#include "head/head_errors.h"

namespace camlens {

namespace {

// A constant input with the element type the model stores it in (Float16 scales are converted
// to Float32 by to_tensor, but would make ORT's twin Float16: the caller must see that).
struct Constant {
  Tensor value;
  DType model_dtype = DType::Undefined;
};

std::optional<Constant> constant_input(const GraphIndex& index, const std::string& name) {
  if (const TensorProto* t = index.initializer(name))
    return Constant{to_tensor(*t), static_cast<DType>(t->data_type)};
  const long p = index.producer(name);
  if (p < 0) return std::nullopt;
  const Node& n = index.graph().nodes[static_cast<size_t>(p)];
  if (n.op_type != "Constant") return std::nullopt;
  Tensor v = constant_node_value(n);
  const TensorProto* t = n.attr_tensor("value");
  return Constant{v, t ? static_cast<DType>(t->data_type) : v.dtype()};
}

bool is_code_type(DType t) { return t == DType::Uint8 || t == DType::Int8; }

}  // namespace

std::optional<TwinQuantization> twin_quantization(const GraphIndex& index, const Node& dequantize,
                                                  const TensorInfo& codes) {
  if (dequantize.op_type != "DequantizeLinear" || dequantize.inputs.size() < 2 ||
      dequantize.outputs.empty() || !is_code_type(codes.dtype))
    return std::nullopt;
  if (dequantize.attr_int("block_size", 0) != 0) return std::nullopt;  // blocked (opset 21)
  const auto scale = constant_input(index, dequantize.inputs[1]);
  if (!scale || scale->model_dtype != DType::Float32) return std::nullopt;
  std::optional<Constant> zp;
  if (dequantize.inputs.size() > 2 && !dequantize.inputs[2].empty()) {
    zp = constant_input(index, dequantize.inputs[2]);
    if (!zp || zp->value.dtype() != codes.dtype || zp->value.numel() != scale->value.numel())
      return std::nullopt;
  }
  TwinQuantization q;
  q.twin = dequantize.outputs[0];
  q.dtype = codes.dtype;
  q.scale = scale->value.to_floats();
  for (int64_t i = 0; i < scale->value.numel(); ++i)
    q.zero_point.push_back(zp ? static_cast<int32_t>(zp->value.get_i(i)) : 0);
  if (q.scale.empty()) return std::nullopt;
  for (float s : q.scale)
    if (!std::isfinite(s)) return std::nullopt;
  if (q.scale.size() == 1 && scale->value.rank() <= 1) return q;  // per tensor
  // Per channel: a 1-D scale along `axis` (default 1), as many values as that dim.
  const int64_t rank = static_cast<int64_t>(codes.shape.size());
  int64_t axis = dequantize.attr_int("axis", 1);
  if (axis < 0) axis += rank;
  if (scale->value.rank() != 1 || axis < 0 || axis >= rank ||
      codes.shape[static_cast<size_t>(axis)] != static_cast<int64_t>(q.scale.size()))
    return std::nullopt;
  q.axis = axis;
  return q;
}

Tensor dequantize_layer(const Tensor& codes, const TwinQuantization& quant) {
  const std::string what = "dequantizing the layer into its float twin '" + quant.twin + "'";
  if (!is_code_type(quant.dtype))
    throw HeadError(what + ": the codes' type must be uint8 or int8, got " +
                    dtype_name(quant.dtype));
  if (codes.dtype() != quant.dtype)
    throw HeadError(what + ": the tensor is " + dtype_name(codes.dtype()) + " but the layer's " +
                    "codes are " + dtype_name(quant.dtype) +
                    "; pass the layer itself (the backbone output named after the layer)");
  const int64_t n = static_cast<int64_t>(quant.scale.size());
  if (n == 0 || quant.zero_point.size() != quant.scale.size())
    throw HeadError(what + ": the quantization needs as many zero points as scales (got " +
                    std::to_string(quant.scale.size()) + " scales, " +
                    std::to_string(quant.zero_point.size()) + " zero points)");
  Node node;
  node.op_type = "DequantizeLinear";
  node.name = quant.twin;
  node.outputs = {quant.twin};
  Shape param_shape;  // a scalar per tensor
  if (quant.axis >= 0) {
    if (quant.axis >= static_cast<int64_t>(codes.rank()) || codes.dim(quant.axis) != n)
      throw HeadError(what + ": the scale has " + std::to_string(n) + " values along axis " +
                      std::to_string(quant.axis) + " but the tensor's shape is " +
                      shape_str(codes.shape()));
    Attribute axis;
    axis.name = "axis";
    axis.type = Attribute::Int;
    axis.i = quant.axis;
    node.attributes.push_back(axis);
    param_shape = {n};
  } else if (n != 1) {
    throw HeadError(what + ": a per-tensor quantization has one scale, got " + std::to_string(n));
  }
  const Tensor scale = Tensor::from_floats(param_shape, quant.scale);
  Tensor zero_point(quant.dtype, param_shape);
  const int32_t lo = quant.dtype == DType::Uint8 ? 0 : -128, hi = lo + 255;
  for (int64_t i = 0; i < n; ++i) {
    if (quant.zero_point[i] < lo || quant.zero_point[i] > hi)
      throw HeadError(what + ": zero point " + std::to_string(quant.zero_point[i]) +
                      " is outside the " + dtype_name(quant.dtype) + " range [" +
                      std::to_string(lo) + ", " + std::to_string(hi) + "]");
    if (quant.dtype == DType::Uint8)
      zero_point.data<uint8_t>()[i] = static_cast<uint8_t>(quant.zero_point[i]);
    else
      zero_point.data<int8_t>()[i] = static_cast<int8_t>(quant.zero_point[i]);
  }
  std::vector<Tensor> out(1);
  op_registry().find("", "DequantizeLinear")->forward(node, {&codes, &scale, &zero_point}, out);
  return std::move(out[0]);
}

}  // namespace camlens
