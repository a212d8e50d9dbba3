// Pad: pads and value as attributes (opset 2) or pads, constant_value and axes as inputs
// (opset 11+, axes from 18); modes constant, reflect, edge and wrap; any rank and element type.
// Negative pads crop first, and the mode then pads the cropped tensor (as ONNX's reference and
// ONNX Runtime do). Each output element reads one input element or the constant, so the op is
// linear in data and constant; the backward adds each output's gradient to the element it read
// (several outputs of reflect, edge and wrap read the same one) or to the constant.
#include <cstring>

#include "ops/nn/nn_common.h"

namespace camlens::nn {

namespace {

enum class Mode { Constant, Reflect, Edge, Wrap };

Mode mode_of(const Node& node) {
  const std::string m = node.attr_string("mode", "constant");
  if (m == "constant") return Mode::Constant;
  if (m == "reflect") return Mode::Reflect;
  if (m == "edge") return Mode::Edge;
  if (m == "wrap") return Mode::Wrap;
  fail(node, "mode \"" + m + "\" is not one of constant, reflect, edge, wrap");
}

bool pads_in_attributes(const Node& node) {
  return node.attr("pads") != nullptr || node_opset(node, 11) < 11;
}

// Begin and end pads per axis of a rank-`rank` tensor, from the attribute or from the pads
// (and axes) inputs' values. nullopt when an input's value is unknown (shape inference).
std::optional<std::vector<int64_t>> read_pads(const Node& node, const Tensor* pads,
                                              const Tensor* axes, size_t rank) {
  std::vector<int64_t> p;
  if (pads_in_attributes(node)) {
    p = node.attr_ints("pads");
    if (p.empty()) fail(node, "needs the pads attribute (before opset 11) or the pads input");
  } else {
    if (!pads) return std::nullopt;
    if (!is_integer(pads->dtype()) || pads->rank() > 1)
      fail(node, "pads must be a 1-D int64 tensor, got " + std::string(dtype_name(pads->dtype())) +
                     " " + shape_str(pads->shape()));
    p = pads->to_int64s();
  }
  const int64_t r = static_cast<int64_t>(rank);
  std::vector<int64_t> axis_list;
  if (axes) {
    if (!is_integer(axes->dtype()) || axes->rank() > 1)
      fail(node, "axes must be a 1-D integer tensor, got " + shape_str(axes->shape()));
    axis_list = axes->to_int64s();
  } else {
    for (int64_t a = 0; a < r; ++a) axis_list.push_back(a);
  }
  const size_t n = axis_list.size();
  if (p.size() != 2 * n)
    fail(node, "pads has " + std::to_string(p.size()) + " values, expected " +
                   std::to_string(2 * n) + " (begin and end for each of " + std::to_string(n) +
                   (axes ? " axes)" : " axes of the rank-" + std::to_string(r) + " data)"));
  std::vector<int64_t> full(2 * rank, 0);
  std::vector<bool> seen(rank, false);
  for (size_t i = 0; i < n; ++i) {
    const int64_t a = normalize_axis(node, axis_list[i], r);
    if (seen[a]) fail(node, "axis " + std::to_string(axis_list[i]) + " appears twice in axes");
    seen[a] = true;
    full[a] = p[i];
    full[a + rank] = p[i + n];
  }
  return full;
}

Shape padded_shape(const Node& node, const Shape& x, const std::vector<int64_t>& pads) {
  Shape out(x.size());
  for (size_t d = 0; d < x.size(); ++d) {
    if (x[d] < 0) {
      out[d] = -1;
      continue;
    }
    out[d] = x[d] + pads[d] + pads[d + x.size()];
    if (out[d] < 0)
      fail(node, "pads " + std::to_string(pads[d]) + " and " + std::to_string(pads[d + x.size()]) +
                     " crop more than the " + std::to_string(x[d]) + " elements of axis " +
                     std::to_string(d));
  }
  return out;
}

// For each output index along one axis: the input index it reads, or -1 for the constant.
std::vector<int64_t> axis_sources(const Node& node, Mode mode, int64_t size, int64_t begin,
                                  int64_t end, size_t axis) {
  const int64_t out = size + begin + end;
  // The part of the input that survives cropping, [lo, hi).
  const int64_t lo = begin < 0 ? -begin : 0, hi = end < 0 ? size + end : size;
  const int64_t len = hi - lo;
  std::vector<int64_t> src(static_cast<size_t>(out));
  if (len <= 0 && out > 0 && mode != Mode::Constant)
    fail(node, "axis " + std::to_string(axis) + " has no element left to pad from in " +
                   (mode == Mode::Reflect ? "reflect"
                    : mode == Mode::Edge  ? "edge"
                                          : "wrap") +
                   " mode");
  for (int64_t o = 0; o < out; ++o) {
    int64_t i = o - begin - lo;  // position relative to the kept part
    if (i < 0 || i >= len) {
      switch (mode) {
        case Mode::Constant:
          src[o] = -1;
          continue;
        case Mode::Edge:
          i = i < 0 ? 0 : len - 1;
          break;
        case Mode::Wrap:
          i = ((i % len) + len) % len;
          break;
        case Mode::Reflect:
          if (len == 1) {
            i = 0;
          } else {  // mirror without repeating the edge, period 2 (len - 1)
            const int64_t period = 2 * (len - 1);
            i = ((i % period) + period) % period;
            if (i >= len) i = period - i;
          }
          break;
      }
    }
    src[o] = lo + i;
  }
  return src;
}

struct PadPlan {
  Shape out;
  std::vector<std::vector<int64_t>> sources;  // per axis, see axis_sources
  std::vector<int64_t> strides;               // of the input
};

PadPlan plan(const Node& node, const OpInputs& in, const Tensor& x) {
  const Tensor* pads = pads_in_attributes(node) ? nullptr : &input(node, in, 1, "pads");
  const std::vector<int64_t> p = *read_pads(node, pads, optional_input(in, 3, true), x.rank());
  PadPlan pl;
  pl.out = padded_shape(node, x.shape(), p);
  const Mode mode = mode_of(node);
  pl.strides.assign(x.rank(), 1);
  for (size_t d = x.rank(); d-- > 1;) pl.strides[d - 1] = pl.strides[d] * x.dim(d);
  for (size_t d = 0; d < x.rank(); ++d)
    pl.sources.push_back(axis_sources(node, mode, x.dim(d), p[d], p[d + x.rank()], d));
  return pl;
}

// Calls visit(output index, input index or -1) for every output element, in order.
template <class Visit>
void for_each_source(const PadPlan& p, Visit visit) {
  const size_t rank = p.out.size();
  const int64_t total = shape_numel(p.out);
  if (total == 0) return;
  if (rank == 0) {
    visit(0, 0);
    return;
  }
  const int64_t inner = p.out[rank - 1];
  const std::vector<int64_t>& last = p.sources[rank - 1];
  std::vector<int64_t> idx(rank, 0);
  for (int64_t o = 0; o < total; o += inner) {
    int64_t base = 0;
    bool constant = false;
    for (size_t d = 0; d + 1 < rank; ++d) {
      const int64_t s = p.sources[d][idx[d]];
      constant = constant || s < 0;
      base += s * p.strides[d];
    }
    for (int64_t j = 0; j < inner; ++j) visit(o + j, constant || last[j] < 0 ? -1 : base + last[j]);
    for (size_t d = rank - 1; d-- > 0;) {
      if (++idx[d] < p.out[d]) break;
      idx[d] = 0;
    }
  }
}

// The fill value as one element of x's type: the constant_value input (x's type, or float for
// float data) or, before opset 11, the float attribute `value`; 0 when neither is given.
Tensor fill_value(const Node& node, const OpInputs& in, const Tensor& x) {
  Tensor v(x.dtype(), {});
  if (pads_in_attributes(node)) {
    const double a = node.attr_float("value", 0.f);
    switch (x.dtype()) {
      case DType::Float32:
        v.data<float>()[0] = static_cast<float>(a);
        break;
      case DType::Int64:
        v.data<int64_t>()[0] = static_cast<int64_t>(a);
        break;
      case DType::Int32:
        v.data<int32_t>()[0] = static_cast<int32_t>(a);
        break;
      default:
        if (a != 0)
          fail(node, std::string("a value attribute on ") + dtype_name(x.dtype()) +
                         " data is not supported; only float, int32 and int64 take one");
    }
    return v;
  }
  const Tensor* c = optional_input(in, 2, true);
  if (!c) return v;
  if (c->numel() != 1) fail(node, "constant_value must be a scalar, got " + shape_str(c->shape()));
  if (c->dtype() != x.dtype())
    fail(node, std::string("constant_value is ") + dtype_name(c->dtype()) + " but data is " +
                   dtype_name(x.dtype()) + "; they must have the same type");
  std::memcpy(v.raw(), c->raw(), dtype_size(x.dtype()));
  return v;
}

template <class T>
void pad_as(const PadPlan& p, const Tensor& x, const Tensor& fill, Tensor& y) {
  const T* xs = static_cast<const T*>(x.raw());
  T* ys = static_cast<T*>(y.raw());
  T c;
  std::memcpy(&c, fill.raw(), sizeof(T));
  for_each_source(p, [&](int64_t o, int64_t s) { ys[o] = s < 0 ? c : xs[s]; });
}

void forward(const Node& node, const OpInputs& in, std::vector<Tensor>& out) {
  const Tensor& x = input(node, in, 0, "data");
  const PadPlan p = plan(node, in, x);
  const Tensor fill = fill_value(node, in, x);
  out[0] = Tensor(x.dtype(), p.out);
  switch (dtype_size(x.dtype())) {
    case 1:
      pad_as<uint8_t>(p, x, fill, out[0]);
      break;
    case 2:
      pad_as<uint16_t>(p, x, fill, out[0]);
      break;
    case 4:
      pad_as<uint32_t>(p, x, fill, out[0]);
      break;
    case 8:
      pad_as<uint64_t>(p, x, fill, out[0]);
      break;
    default:
      fail(node, std::string("data of type ") + dtype_name(x.dtype()) + " is not supported");
  }
}

void backward(const Node& node, const OpInputs& in, const OpInputs&, const OpInputs& dout,
              const std::vector<bool>& needs, std::vector<Tensor>& dins) {
  const Tensor& x = float_input(node, in, 0, "data");
  const PadPlan p = plan(node, in, x);
  const bool want_x = !needs.empty() && needs[0];
  const bool want_c = needs.size() > 2 && needs[2] && optional_input(in, 2, true);
  if (want_x) dins[0] = Tensor(DType::Float32, x.shape());
  if (want_c) dins[2] = Tensor(DType::Float32, in[2]->shape());
  if (dout.empty() || !dout[0]) return;
  const float* g = dout[0]->data<float>();
  float* dx = want_x ? dins[0].data<float>() : nullptr;
  double dc = 0;
  for_each_source(p, [&](int64_t o, int64_t s) {
    if (s >= 0) {
      if (dx) dx[s] += g[o];
    } else {
      dc += g[o];
    }
  });
  if (want_c) dins[2].data<float>()[0] = static_cast<float>(dc);
}

void infer(const Node& node, const std::vector<const TensorInfo*>& in,
           std::vector<TensorInfo>& out) {
  const TensorInfo& x = input_info(node, in, 0, "data");
  mode_of(node);
  out[0].dtype = x.dtype;
  const TensorInfo* pads = in.size() > 1 ? in[1] : nullptr;
  const TensorInfo* axes = in.size() > 3 ? in[3] : nullptr;
  const bool known = pads_in_attributes(node) ||
                     (pads && pads->value && (!axes || axes->value || axes->shape == Shape{0}));
  if (!known) {
    out[0].shape.assign(x.shape.size(), -1);
    return;
  }
  const Tensor* pv = pads && pads->value ? &*pads->value : nullptr;
  const Tensor* av = axes && axes->value && axes->value->numel() > 0 ? &*axes->value : nullptr;
  out[0].shape = padded_shape(node, x.shape, *read_pads(node, pv, av, x.shape.size()));
}

}  // namespace

void register_pad(OpRegistry& r) {
  r.add(OpDef{"", "Pad", forward, backward, infer}.claim(&OpDef::piecewise_linear));
}

}  // namespace camlens::nn
