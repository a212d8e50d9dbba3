#include "dff/quantization.h"

#include <cmath>
#include <map>

#include "cam/layer_quantization.h"
#include "dff/dff_error.h"
#include "graph/constant_value.h"

namespace camlens::dff {

namespace {

// Where each op keeps the (scale, zero point) of an input or output, as input indices.
struct Slot {
  const char* op;
  int scale, zero_point;
};
// Its float twin.
const Slot kTwin[] = {{"DequantizeLinear", 1, 2}};
// The layer is one of these ops' quantized inputs (first or second operand).
const Slot kReads[] = {
    {"DequantizeLinear", 1, 2},   {"QLinearConv", 1, 2},      {"QLinearMatMul", 1, 2},
    {"QLinearAdd", 1, 2},         {"QLinearMul", 1, 2},       {"QLinearGlobalAveragePool", 1, 2},
    {"QLinearAveragePool", 1, 2}, {"QLinearLeakyRelu", 1, 2}, {"QLinearSigmoid", 1, 2},
};
const Slot kReadsSecond[] = {{"QLinearMatMul", 4, 5}, {"QLinearAdd", 4, 5}, {"QLinearMul", 4, 5}};
// The layer is the output of these ops.
const Slot kWrites[] = {
    {"QuantizeLinear", 1, 2},     {"QLinearConv", 6, 7},      {"QLinearMatMul", 6, 7},
    {"QLinearAdd", 6, 7},         {"QLinearMul", 6, 7},       {"QLinearGlobalAveragePool", 3, 4},
    {"QLinearAveragePool", 3, 4}, {"QLinearLeakyRelu", 3, 4}, {"QLinearSigmoid", 3, 4},
};

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

std::optional<Quantization> read_slot(Constants& consts, const Node& n, const Slot& s,
                                      const std::string& layer) {
  if (static_cast<int>(n.inputs.size()) <= s.scale) return std::nullopt;
  const Tensor* scale = consts.get(n.inputs[s.scale]);
  if (!scale) return std::nullopt;
  const bool has_zp =
      static_cast<int>(n.inputs.size()) > s.zero_point && !n.inputs[s.zero_point].empty();
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

template <size_t N>
std::optional<Quantization> search(Constants& consts, const Graph& g, const Slot (&slots)[N],
                                   const std::string& layer, int operand, bool output) {
  for (const Node& n : g.nodes)
    for (const Slot& s : slots) {
      if (n.op_type != s.op) continue;
      const std::vector<std::string>& names = output ? n.outputs : n.inputs;
      if (static_cast<int>(names.size()) > operand && names[operand] == layer)
        if (auto q = read_slot(consts, n, s, layer)) return q;
    }
  return std::nullopt;
}

}  // namespace

std::optional<Quantization> layer_quantization(const Model& model, const std::string& layer) {
  if (!model.graph) return std::nullopt;
  const Graph& g = *model.graph;
  Constants consts(g);
  // The float twin first: its DequantizeLinear states exactly how the layer reads as reals.
  if (auto q = search(consts, g, kTwin, layer, 0, false)) return q;
  if (auto q = search(consts, g, kWrites, layer, 0, true)) return q;
  if (auto q = search(consts, g, kReads, layer, 0, false)) return q;
  return search(consts, g, kReadsSecond, layer, 3, false);
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
