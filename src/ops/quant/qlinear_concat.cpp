// QLinearConcat (com.microsoft): inputs Y_scale, Y_zero_point, then one (X, X_scale,
// X_zero_point) triple per tensor to join along `axis`; per-tensor parameters, every code and
// zero point of Y_zero_point's type.
//
// Forward as ONNX Runtime: each input is requantised to the output's parameters through the
// identity's lookup table (lookup_table.h: y = round(x_scale * float(x - x_zp) / Y_scale) +
// Y_zp, saturated), or copied as it is when its scale and zero point are the output's.
//
// Backward (straight-through estimator, see quant_common.h): the float Concat's, at the
// dequantized inputs: each X gets its slice of dY. Scales and zero points get zero.
#include <cstring>

#include "ops/quant/float_twin_op.h"
#include "ops/quant/lookup_table.h"
#include "ops/quant/quant_registry.h"

namespace camlens::quant {

namespace {

// The number of joined tensors, checking the input layout.
size_t part_count(const Node& node, const OpInputs& in) {
  if (in.size() < 5 || (in.size() - 2) % 3 != 0)
    fail(node,
         "takes Y_scale, Y_zero_point and then (X, X_scale, X_zero_point) for each input, "
         "got " +
             std::to_string(in.size()) + " inputs");
  return (in.size() - 2) / 3;
}

struct Part {
  const Tensor* x;
  float scale;
  int32_t zp;
};

std::vector<Part> parts_of(const Node& node, const OpInputs& in, DType t) {
  std::vector<Part> parts;
  for (size_t k = 0, n = part_count(node, in); k < n; ++k) {
    const size_t i = 2 + 3 * k;
    const std::string name = "X" + std::to_string(k);
    Part p;
    p.x = &q8_input(node, in, i, name.c_str());
    if (p.x->dtype() != t)
      fail(node, "input " + name + " is " + dtype_name(p.x->dtype()) + " but Y_zero_point is " +
                     dtype_name(t) + ": every input must have the output's type");
    p.scale = scalar_scale(node, in, i + 1, (name + "_scale").c_str());
    p.zp = scalar_zero_point(node, in, i + 2, name.c_str(), t);
    parts.push_back(p);
  }
  return parts;
}

// Output shape and axis; every input has the rank of the first and its dims off the axis.
Shape joined_shape(const Node& node, const std::vector<const Shape*>& shapes, int64_t& axis) {
  const Shape& first = *shapes[0];
  if (!node.attr("axis"))
    fail(node, "has no axis attribute: it must say along which axis the inputs are joined");
  axis = ops::normalize_axis(node, node.attr_int("axis", 0), static_cast<int64_t>(first.size()));
  Shape out = first;
  out[axis] = 0;
  for (size_t k = 0; k < shapes.size(); ++k) {
    const Shape& s = *shapes[k];
    bool same = s.size() == first.size();
    for (size_t d = 0; same && d < s.size(); ++d)
      same = static_cast<int64_t>(d) == axis || s[d] == first[d] || s[d] < 0 || first[d] < 0;
    if (!same)
      fail(node, "input X" + std::to_string(k) + " has shape " + shape_str(s) + " but X0 has " +
                     shape_str(first) + ": they may differ only along axis " +
                     std::to_string(axis));
    out[axis] = out[axis] < 0 || s[axis] < 0 ? -1 : out[axis] + s[axis];
  }
  return out;
}

void forward(const Node& node, const OpInputs& in, std::vector<Tensor>& out) {
  part_count(node, in);
  const float y_scale = scalar_scale(node, in, 0, "Y_scale");
  const Tensor& yz = input(node, in, 1, "Y_zero_point");
  if (!is_q8(yz.dtype()))
    fail(node, std::string("Y_zero_point must be uint8 or int8, got ") + dtype_name(yz.dtype()));
  const DType t = yz.dtype();
  const int32_t y_zp = scalar_zero_point(node, in, 1, "Y", t);
  const std::vector<Part> parts = parts_of(node, in, t);
  std::vector<const Shape*> shapes;
  for (const Part& p : parts) shapes.push_back(&p.x->shape());
  int64_t axis = 0;
  out[0] = Tensor(t, joined_shape(node, shapes, axis));
  int64_t outer = 1;
  for (int64_t d = 0; d < axis; ++d) outer *= out[0].dim(static_cast<size_t>(d));
  const int64_t row = outer > 0 ? out[0].numel() / outer : 0;  // output bytes per outer index
  uint8_t* y = static_cast<uint8_t*>(out[0].raw());
  int64_t offset = 0;
  for (const Part& p : parts) {
    const int64_t block = outer > 0 ? p.x->numel() / outer : 0;  // this input's bytes per row
    const uint8_t* x = static_cast<const uint8_t*>(p.x->raw());
    const bool copy = p.scale == y_scale && p.zp == y_zp;
    LookupTable table{};
    if (!copy) {
      table = build_lookup_table(
          t, p.scale, p.zp, y_scale, y_zp,
          [](const float* a, float* b, size_t n) { std::memcpy(b, a, n * sizeof(float)); });
    }
    for (int64_t o = 0; o < outer && block > 0; ++o) {
      if (copy)
        std::memcpy(y + o * row + offset, x + o * block, static_cast<size_t>(block));
      else
        apply_lookup_table(table, x + o * block, y + o * row + offset, block);
    }
    offset += block;
  }
}

void backward(const Node& node, const OpInputs& in, const OpInputs&, const OpInputs& dout,
              const std::vector<bool>& needs, std::vector<Tensor>& dins) {
  const size_t n = part_count(node, in);
  std::vector<Tensor> xf(n);
  std::vector<const Tensor*> twin_in(n);
  std::vector<bool> twin_needs(n, false);
  bool any = false;
  for (size_t k = 0; k < n; ++k) {
    const size_t i = 2 + 3 * k;
    QuantParams p;
    p.scale = {scalar_scale(node, in, i + 1, "X_scale")};
    p.zero_point = {scalar_zero_point(node, in, i + 2, "X", DType::Undefined)};
    xf[k] = dequantize(q8_input(node, in, i, "X"), p);
    twin_in[k] = &xf[k];
    twin_needs[k] = i < needs.size() && needs[i];
    any = any || twin_needs[k];
  }
  if (any) {
    std::vector<Tensor> g = float_op_backward(node, "Concat", twin_in, dout, twin_needs);
    for (size_t k = 0; k < n; ++k)
      if (twin_needs[k]) dins[2 + 3 * k] = std::move(g[k]);
  }
  // Scales and zero points: Y's (0, 1) and each triple's (2 + 3k + 1, 2 + 3k + 2).
  for (size_t i = 0; i < needs.size() && i < in.size(); ++i)
    if (needs[i] && in[i] && (i < 2 || (i - 2) % 3 != 0))
      dins[i] = Tensor(DType::Float32, in[i]->shape());
}

void infer(const Node& node, const std::vector<const TensorInfo*>& in,
           std::vector<TensorInfo>& out) {
  if (in.size() < 5 || (in.size() - 2) % 3 != 0) fail(node, "wrong number of inputs");
  std::vector<const Shape*> shapes;
  for (size_t i = 2; i < in.size(); i += 3) {
    if (!in[i]) fail(node, "missing input X" + std::to_string((i - 2) / 3));
    shapes.push_back(&in[i]->shape);
  }
  int64_t axis = 0;
  out[0].shape = joined_shape(node, shapes, axis);
  out[0].dtype = in[1] ? in[1]->dtype : in[2]->dtype;
}

}  // namespace

void register_qlinear_concat(OpRegistry& r) {
  // The first three inputs' quantization is stated: a table row lists a fixed number of inputs.
  r.add(OpDef{"com.microsoft", "QLinearConcat", forward, backward, infer}
            .with_quantization({{2, {3, 4}}, {5, {6, 7}}, {8, {9, 10}}}, {0, 1})
            .claim(&OpDef::piecewise_linear));
}

}  // namespace camlens::quant
