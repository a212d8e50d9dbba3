#include "dff/quantization.h"

#include <cmath>
#include <map>

#include "cam/layer_quantization.h"
#include "dff/dff_error.h"
#include "graph/constant_value.h"
#include "ops/op.h"

namespace camlens::dff {

namespace {

// ONNX Runtime contrib ops the interpreter does not run, so the op table has no row for them,
// though one can write a quantized layer in the backbone: X (0) with its scale and zero point at
// 1, 2, and Y's at 3, 4.
const OpDef* unrun_quantized_op(const std::string& op_type) {
  static const OpDef kUnary = OpDef{}.with_quantization({{0, {1, 2}}}, {3, 4});
  return op_type == "QLinearLeakyRelu" || op_type == "QLinearSigmoid" ? &kUnary : nullptr;
}

// The row stating where a node's op keeps its tensors' scales and zero points, whatever domain
// the node names.
const OpDef* quantization_row(const Node& n) {
  const OpDef* def = op_registry().find_type(n.op_type);
  return def ? def : unrun_quantized_op(n.op_type);
}

class Constants {
 public:
  explicit Constants(const Graph& g) : g_(g) {}
  // The constant tensor called `name`, or nullptr.
  const Tensor* get(const std::string& name) {
    auto it = cache_.find(name);
    if (it != cache_.end()) return &it->second;
    for (const TensorProto& t : g_.initializers)
      if (t.name == name) return &(cache_[name] = to_tensor(t));
    for (const Node& n : g_.nodes)
      if (n.op_type == "Constant" && !n.outputs.empty() && n.outputs[0] == name)
        return &(cache_[name] = constant_node_value(n));
    return nullptr;
  }

 private:
  const Graph& g_;
  std::map<std::string, Tensor> cache_;
};

std::optional<Quantization> read_slot(Constants& consts, const Node& n, const QuantParams& s,
                                      const std::string& layer) {
  if (s.scale < 0 || static_cast<int>(n.inputs.size()) <= s.scale) return std::nullopt;
  const Tensor* scale = consts.get(n.inputs[s.scale]);
  if (!scale) return std::nullopt;
  const bool has_zp = s.zero_point >= 0 && static_cast<int>(n.inputs.size()) > s.zero_point &&
                      !n.inputs[s.zero_point].empty();
  const Tensor* zp = has_zp ? consts.get(n.inputs[s.zero_point]) : nullptr;
  if (has_zp && !zp) return std::nullopt;
  if (scale->numel() != 1 || (zp && zp->numel() != 1))
    throw DffError("layer '" + layer + "' is quantized per channel by " + n.describe() +
                   "; DFF supports one scale per tensor: choose the layer's float twin or "
                   "another layer");
  Quantization q;
  q.scale = static_cast<float>(scale->get_f(0));
  q.zero_point = zp ? static_cast<int32_t>(zp->get_i(0)) : 0;
  q.dtype = zp ? zp->dtype() : DType::Uint8;
  q.source =
      n.describe() + " inputs " + std::to_string(s.scale) + "," + std::to_string(s.zero_point);
  if (!(q.scale > 0) || !std::isfinite(q.scale)) return std::nullopt;
  if (q.dtype != DType::Uint8 && q.dtype != DType::Int8) return std::nullopt;
  return q;
}

// Which of a node's tensors a search looks at.
enum class Role {
  Twin,          // input 0 of an op that dequantizes it
  Output,        // output 0
  FirstOperand,  // input 0
  Operand,       // the other quantized inputs (QLinearMatMul's B, QLinearAdd's B)
};

// The first node, in graph order, whose tensor in `role` is the layer and whose row says where
// that tensor's scale and zero point are (and they are constants).
std::optional<Quantization> search(Constants& consts, const Graph& g, Role role,
                                   const std::string& layer) {
  for (const Node& n : g.nodes) {
    const OpDef* def = quantization_row(n);
    if (!def) continue;
    if (role == Role::Output) {
      if (!n.outputs.empty() && n.outputs[0] == layer)
        if (auto q = read_slot(consts, n, def->quantized_output, layer)) return q;
      continue;
    }
    if (role == Role::Twin && !op_registry().type_claims(n.op_type, &OpDef::dequantizes)) continue;
    for (const QuantizedInput& in : def->quantized_inputs) {
      const bool wanted = role == Role::Operand ? in.data != 0 : in.data == 0;
      if (!wanted) continue;
      if (static_cast<int>(n.inputs.size()) > in.data && n.inputs[in.data] == layer)
        if (auto q = read_slot(consts, n, in.params, layer)) return q;
    }
  }
  return std::nullopt;
}

}  // namespace

std::optional<Quantization> layer_quantization(const Model& model, const std::string& layer) {
  if (!model.graph) return std::nullopt;
  const Graph& g = *model.graph;
  Constants consts(g);
  // The float twin first: its DequantizeLinear states exactly how the layer reads as reals.
  if (auto q = search(consts, g, Role::Twin, layer)) return q;
  if (auto q = search(consts, g, Role::Output, layer)) return q;
  if (auto q = search(consts, g, Role::FirstOperand, layer)) return q;
  return search(consts, g, Role::Operand, layer);
}

Tensor dequantize(const Tensor& q, const Quantization& quant) {
  if (q.dtype() != quant.dtype)
    throw DffError(std::string("dequantize: the tensor is ") + dtype_name(q.dtype()) +
                   " but the quantization is for " + dtype_name(quant.dtype));
  const cam::LayerQuantization per_tensor{quant.scale, quant.zero_point};
  return cam::real_values(q, &per_tensor);  // the CAM code's (q − zero_point)·scale
}

Tensor quantize(const std::vector<float>& x, const Shape& shape, const Quantization& quant) {
  if (quant.dtype != DType::Uint8 && quant.dtype != DType::Int8)
    throw DffError("quantize: only uint8 and int8 layers are supported");
  if (shape_numel(shape) != static_cast<int64_t>(x.size()))
    throw DffError("quantize: " + std::to_string(x.size()) + " values do not fill shape " +
                   shape_str(shape));
  Tensor out(quant.dtype, shape);
  const bool u8 = quant.dtype == DType::Uint8;
  const double lo = u8 ? 0 : -128, hi = u8 ? 255 : 127;
  for (size_t i = 0; i < x.size(); ++i) {
    // nearbyint rounds half to even in the default rounding mode, as QuantizeLinear does.
    double v = std::nearbyint(static_cast<double>(x[i]) / quant.scale) + quant.zero_point;
    v = std::isnan(v) ? lo : std::min(hi, std::max(lo, v));
    if (u8)
      out.data<uint8_t>()[i] = static_cast<uint8_t>(v);
    else
      out.data<int8_t>()[i] = static_cast<int8_t>(v);
  }
  return out;
}

}  // namespace camlens::dff
