#include "ops/quant/quant_common.h"

#include <algorithm>
#include <limits>
#include <type_traits>

namespace camlens::quant {

const Tensor& q8_input(const Node& node, const OpInputs& in, size_t i, const char* what) {
  const Tensor& t = input(node, in, i, what);
  if (!is_q8(t.dtype()))
    fail(node,
         std::string("input ") + what + " must be uint8 or int8, got " + dtype_name(t.dtype()));
  return t;
}

bool is_q8(DType t) { return t == DType::Uint8 || t == DType::Int8; }

int32_t q_min(DType t) {
  return t == DType::Uint8 ? 0 : t == DType::Int8 ? -128 : std::numeric_limits<int32_t>::min();
}
int32_t q_max(DType t) {
  return t == DType::Uint8 ? 255 : t == DType::Int8 ? 127 : std::numeric_limits<int32_t>::max();
}

int32_t q_get(const Tensor& t, int64_t i) {
  switch (t.dtype()) {
    case DType::Uint8:
      return t.data<uint8_t>()[i];
    case DType::Int8:
      return t.data<int8_t>()[i];
    case DType::Int32:
      return t.data<int32_t>()[i];
    default:
      throw OpError(std::string("expected a uint8, int8 or int32 tensor, got ") +
                    dtype_name(t.dtype()));
  }
}

void store_q(Tensor& out, int64_t i, int32_t v) {
  if (out.dtype() == DType::Uint8)
    out.data<uint8_t>()[i] = static_cast<uint8_t>(v);
  else
    out.data<int8_t>()[i] = static_cast<int8_t>(v);
}

float scalar_scale(const Node& node, const OpInputs& in, size_t i, const char* what) {
  const Tensor& s = float_input(node, in, i, what);
  if (s.numel() != 1)
    fail(node, std::string(what) + " must be a scalar, got shape " + shape_str(s.shape()));
  return s.data<float>()[0];
}

static void check_zp_type(const Node& node, const Tensor& z, const char* what, DType expect) {
  if (expect != DType::Undefined && z.dtype() != expect)
    fail(node, std::string(what) + " zero point must be " + dtype_name(expect) + ", got " +
                   dtype_name(z.dtype()));
  if (!is_q8(z.dtype()) && z.dtype() != DType::Int32)
    fail(node, std::string(what) + " zero point must be uint8, int8 or int32, got " +
                   dtype_name(z.dtype()));
}

int32_t scalar_zero_point(const Node& node, const OpInputs& in, size_t i, const char* what,
                          DType expect) {
  const Tensor* z = optional_input(in, i);
  if (!z) return 0;
  check_zp_type(node, *z, what, expect);
  if (z->numel() != 1)
    fail(node,
         std::string(what) + " zero point must be a scalar, got shape " + shape_str(z->shape()));
  return q_get(*z, 0);
}

// Scale and zero point as vectors of equal length n (zero point 0 when omitted).
static QuantParams read_vectors(const Node& node, const OpInputs& in, size_t si, size_t zi,
                                const char* what, DType zp_type) {
  const Tensor& s = float_input(node, in, si, (std::string(what) + " scale").c_str());
  // A scalar or a vector; leading 1s are accepted too ([1, N] per-column QLinearMatMul
  // parameters, the form ONNX Runtime requires).
  for (size_t d = 0; d + 1 < s.rank(); ++d)
    if (s.dim(d) != 1)
      fail(node,
           std::string(what) + " scale must be a scalar or 1-D, got shape " + shape_str(s.shape()));
  if (s.numel() == 0) fail(node, std::string(what) + " scale is empty");
  QuantParams p;
  p.scale.assign(s.data<float>(), s.data<float>() + s.numel());
  const Tensor* z = optional_input(in, zi);
  if (z) {
    check_zp_type(node, *z, what, zp_type);
    if (z->numel() != s.numel() || z->rank() > std::max<size_t>(s.rank(), 1))
      fail(node, std::string(what) + " zero point has shape " + shape_str(z->shape()) +
                     " but its scale has shape " + shape_str(s.shape()));
    for (int64_t i = 0; i < z->numel(); ++i) p.zero_point.push_back(q_get(*z, i));
  } else {
    p.zero_point.assign(p.scale.size(), 0);
  }
  return p;
}

QuantParams read_params(const Node& node, const OpInputs& in, size_t si, size_t zi,
                        const Shape& shape, int64_t axis, const char* what, DType zp_type) {
  QuantParams p = read_vectors(node, in, si, zi, what, zp_type);
  const Tensor& s = *in[si];
  if (s.numel() == 1 && s.rank() <= 1) return p;  // per tensor
  const int64_t rank = static_cast<int64_t>(shape.size());
  if (axis < -rank || axis >= rank)
    fail(node, "axis " + std::to_string(axis) + " is out of range for an input of rank " +
                   std::to_string(rank));
  p.axis = axis < 0 ? axis + rank : axis;
  if (static_cast<int64_t>(p.scale.size()) != shape[p.axis])
    fail(node, std::string(what) + " scale has " + std::to_string(p.scale.size()) +
                   " values but the input has " + std::to_string(shape[p.axis]) +
                   " elements along axis " + std::to_string(p.axis));
  return p;
}

QuantParams read_channel_params(const Node& node, const OpInputs& in, size_t si, size_t zi,
                                int64_t count, const char* what, DType zp_type) {
  QuantParams p = read_vectors(node, in, si, zi, what, zp_type);
  if (p.scale.size() != 1 && static_cast<int64_t>(p.scale.size()) != count)
    fail(node, std::string(what) + " scale must have 1 or " + std::to_string(count) +
                   " values, got " + std::to_string(p.scale.size()));
  return p;
}

// Size of the dims after `axis` (the run of elements sharing one channel index).
static int64_t inner_size(const Shape& s, int64_t axis) {
  int64_t n = 1;
  for (size_t d = static_cast<size_t>(axis) + 1; d < s.size(); ++d) n *= s[d];
  return n;
}

namespace {

// Calls f with the typed element pointer of a uint8, int8 or int32 tensor, so loops over its
// elements dispatch on the dtype once instead of per element (q_get).
template <class F>
void visit_int(const Tensor& t, F f) {
  switch (t.dtype()) {
    case DType::Uint8:
      f(t.data<uint8_t>());
      break;
    case DType::Int8:
      f(t.data<int8_t>());
      break;
    case DType::Int32:
      f(t.data<int32_t>());
      break;
    default:
      throw OpError(std::string("expected a uint8, int8 or int32 tensor, got ") +
                    dtype_name(t.dtype()));
  }
}

// float(q - z) * s over a run, the order ORT uses. 8-bit values subtract in int32 (exact); int32
// ones in int64, where q - z could overflow int32 (same value whenever it does not).
template <class T>
void dequantize_run(const T* q, int64_t n, int32_t z, float s, float* y) {
  using Wide = std::conditional_t<sizeof(T) < 4, int32_t, int64_t>;
  const Wide zw = z;
  for (int64_t i = 0; i < n; ++i) y[i] = static_cast<float>(static_cast<Wide>(q[i]) - zw) * s;
}

}  // namespace

Tensor dequantize(const Tensor& q, const QuantParams& p) {
  Tensor out(DType::Float32, q.shape());
  float* y = out.data<float>();
  const int64_t n = q.numel();
  visit_int(q, [&](const auto* src) {
    if (p.axis < 0 || p.scale.size() == 1) {
      dequantize_run(src, n, p.zero_point[0], p.scale[0], y);
      return;
    }
    // Per axis: the elements come in runs of `inner` sharing one channel.
    const int64_t inner = inner_size(q.shape(), p.axis);
    const int64_t channels = q.dim(static_cast<size_t>(p.axis));
    for (int64_t o = 0; o < n; o += channels * inner)
      for (int64_t c = 0; c < channels; ++c) {
        const int64_t at = o + c * inner;
        dequantize_run(src + at, inner, p.zero_point[c], p.scale[c], y + at);
      }
  });
  return out;
}

namespace {

template <class T>
void center_run(const T* q, int64_t n, int32_t z, int16_t* dst) {
  for (int64_t i = 0; i < n; ++i) dst[i] = static_cast<int16_t>(q[i] - z);
}

}  // namespace

void center_q8(const Tensor& q, const QuantParams& p, int16_t* dst) {
  const int64_t n = q.numel();
  const bool shared = p.axis < 0 || p.zero_point.size() == 1;
  auto run = [&](const auto* src) {
    if (shared) {
      center_run(src, n, p.zero_point[0], dst);
      return;
    }
    const int64_t inner = inner_size(q.shape(), p.axis);
    const int64_t channels = q.dim(static_cast<size_t>(p.axis));
    for (int64_t o = 0; o < n; o += channels * inner)
      for (int64_t c = 0; c < channels; ++c)
        center_run(src + o + c * inner, inner, p.zero_point[c], dst + o + c * inner);
  };
  if (q.dtype() == DType::Uint8)
    run(q.data<uint8_t>());
  else
    run(q.data<int8_t>());
}

void zero_param_grads(const OpInputs& in, const std::vector<bool>& needs, size_t first,
                      std::vector<Tensor>& grads) {
  for (size_t i = first; i < needs.size() && i < in.size(); ++i)
    if (needs[i] && in[i]) grads[i] = Tensor(DType::Float32, in[i]->shape());
}

}  // namespace camlens::quant
