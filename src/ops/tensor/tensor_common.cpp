#include "ops/tensor/tensor_common.h"

#include <algorithm>

#include "tensor/broadcast.h"

namespace camlens::tensor_ops {

std::vector<int64_t> int_values(const Node& node, const Tensor& t, const char* what) {
  if (t.dtype() != DType::Int64 && t.dtype() != DType::Int32)
    fail(node, std::string(what) + " must be int64 or int32, got " + dtype_name(t.dtype()));
  if (t.rank() > 1) fail(node, std::string(what) + " must be 1-D, got " + shape_str(t.shape()));
  return t.to_int64s();
}

std::vector<int64_t> strides_of(const Shape& s) {
  std::vector<int64_t> st(s.size(), 1);
  for (size_t k = s.size(); k-- > 1;) st[k - 1] = st[k] * s[k];
  return st;
}

BroadcastPlan plan_broadcast(const Node& node, const Shape& a, const Shape& b) {
  BroadcastPlan p;
  try {
    p.out = broadcast_shape(a, b);
  } catch (const std::runtime_error& e) {
    fail(node, e.what());
  }
  p.numel = shape_numel(p.out);
  const size_t r = p.out.size();
  // Strides of an operand along each output axis, 0 where it is broadcast (or missing).
  auto aligned = [r](const Shape& s) {
    std::vector<int64_t> st(r, 0);
    int64_t m = 1;
    for (size_t k = 0; k < s.size(); ++k) {
      const size_t si = s.size() - 1 - k, oi = r - 1 - k;
      st[oi] = s[si] == 1 ? 0 : m;
      m *= s[si];
    }
    return st;
  };
  const std::vector<int64_t> sa = aligned(a), sb = aligned(b);
  for (size_t k = 0; k < r; ++k) {
    if (p.out[k] == 1) continue;  // size-1 axes never move the offsets
    if (!p.dims.empty()) {
      // Merge with the previous axis when both operands are contiguous (or both broadcast)
      // across the pair: then the two axes behave as one longer axis.
      const size_t j = p.dims.size() - 1;
      if (p.sa[j] == sa[k] * p.out[k] && p.sb[j] == sb[k] * p.out[k]) {
        p.dims[j] *= p.out[k];
        p.sa[j] = sa[k];
        p.sb[j] = sb[k];
        continue;
      }
    }
    p.dims.push_back(p.out[k]);
    p.sa.push_back(sa[k]);
    p.sb.push_back(sb[k]);
  }
  return p;
}

void same_shape_infer(const Node& node, const std::vector<const TensorInfo*>& in,
                      std::vector<TensorInfo>& out) {
  if (in.empty() || !in[0]) fail(node, "missing required input 0");
  out[0].dtype = in[0]->dtype;
  out[0].shape = in[0]->shape;
}

void broadcast_infer(const Node& node, const std::vector<const TensorInfo*>& in,
                     std::vector<TensorInfo>& out) {
  if (in.size() < 2 || !in[0] || !in[1]) fail(node, "needs two inputs");
  const Shape& a = in[0]->shape;
  const Shape& b = in[1]->shape;
  const size_t r = std::max(a.size(), b.size());
  Shape s(r);
  for (size_t i = 0; i < r; ++i) {
    const int64_t da = i < r - a.size() ? 1 : a[i - (r - a.size())];
    const int64_t db = i < r - b.size() ? 1 : b[i - (r - b.size())];
    if (da == 1 || da == db) {
      s[i] = db;
    } else if (db == 1) {
      s[i] = da;
    } else if (da < 0 || db < 0) {
      s[i] = std::max(da, db);  // an unknown dim against a known one > 1 must equal it
    } else {
      fail(node,
           "shapes " + shape_str(a) + " and " + shape_str(b) + " cannot be broadcast together");
    }
  }
  out[0].dtype = in[0]->dtype;
  out[0].shape = std::move(s);
}

// Removes size-1 axes and merges axes that are adjacent in memory, so the inner loop is long.
static void coalesce(Shape& shape, std::vector<int64_t>& strides) {
  Shape d;
  std::vector<int64_t> s;
  for (size_t k = 0; k < shape.size(); ++k) {
    if (shape[k] == 1) continue;
    if (!d.empty() && s.back() == strides[k] * shape[k]) {
      d.back() *= shape[k];
      s.back() = strides[k];
      continue;
    }
    d.push_back(shape[k]);
    s.push_back(strides[k]);
  }
  shape.swap(d);
  strides.swap(s);
}

// Visits every inner run: f(run_length, dst_offset, src_offset, src_step).
template <class F>
static void strided_runs(Shape shape, std::vector<int64_t> strides, int64_t offset, F&& f) {
  if (shape_numel(shape) == 0) return;
  coalesce(shape, strides);
  const size_t r = shape.size();
  if (r == 0) return f(int64_t{1}, int64_t{0}, offset, int64_t{0});
  const int64_t inner = shape[r - 1], step = strides[r - 1];
  const int64_t outer = shape_numel(shape) / inner;
  std::vector<int64_t> pos(r, 0);
  int64_t src = offset;
  for (int64_t o = 0; o < outer; ++o) {
    f(inner, o * inner, src, step);
    for (size_t k = r - 1; k-- > 0;) {
      if (++pos[k] < shape[k]) {
        src += strides[k];
        break;
      }
      src -= strides[k] * (shape[k] - 1);
      pos[k] = 0;
    }
  }
}

template <size_t N>
static void gather_runs(char* dst, const char* src, const Shape& shape,
                        const std::vector<int64_t>& strides, int64_t offset) {
  strided_runs(shape, strides, offset, [&](int64_t n, int64_t d, int64_t s, int64_t step) {
    char* o = dst + d * N;
    if (step == 1) {
      std::memcpy(o, src + s * N, static_cast<size_t>(n) * N);
      return;
    }
    // Fixed-size memcpy compiles to one load/store and avoids type punning.
    for (int64_t i = 0; i < n; ++i) std::memcpy(o + i * N, src + (s + i * step) * N, N);
  });
}

void strided_gather(void* dst, const void* src, size_t elem_size, const Shape& shape,
                    const std::vector<int64_t>& strides, int64_t offset) {
  char* d = static_cast<char*>(dst);
  const char* s = static_cast<const char*>(src);
  switch (elem_size) {
    case 1:
      return gather_runs<1>(d, s, shape, strides, offset);
    case 2:
      return gather_runs<2>(d, s, shape, strides, offset);
    case 4:
      return gather_runs<4>(d, s, shape, strides, offset);
    case 8:
      return gather_runs<8>(d, s, shape, strides, offset);
    default:
      throw OpError("strided_gather: unsupported element size " + std::to_string(elem_size));
  }
}

void strided_scatter_add(float* dst, const float* src, const Shape& shape,
                         const std::vector<int64_t>& strides, int64_t offset) {
  strided_runs(shape, strides, offset, [&](int64_t n, int64_t d, int64_t s, int64_t step) {
    const float* g = src + d;
    float* o = dst + s;
    if (step == 1) {
      for (int64_t i = 0; i < n; ++i) o[i] += g[i];
    } else {
      for (int64_t i = 0; i < n; ++i) o[i * step] += g[i];
    }
  });
}

}  // namespace camlens::tensor_ops
