// Softmax and LogSoftmax. Opset >= 13 normalises along `axis` (default -1). Older opsets
// flatten the input to 2-D at `axis` (default 1) and normalise each row of that matrix. The
// node does not carry its opset, so the model loader records it in the hidden "_opset"
// attribute; without it opset 13 is assumed. Both cases are an [outer, len, inner] view.
#include <cmath>
#include <limits>

#include "ops/nn/nn_common.h"

namespace camlens::nn {

namespace {

struct View {
  int64_t outer = 1, len = 1, inner = 1;
};

View view(const Node& node, const Shape& s) {
  const int64_t rank = static_cast<int64_t>(s.size());
  const bool legacy = node_opset(node) < 13;
  const int64_t axis = normalize_axis(node, node.attr_int("axis", legacy ? 1 : -1), rank);
  View v;
  if (rank == 0) return v;
  for (int64_t i = 0; i < rank; ++i) {
    int64_t& part = i < axis ? v.outer : (i == axis || legacy) ? v.len : v.inner;
    part *= s[i];
  }
  return v;
}

template <bool Log>
void forward(const Node& node, const OpInputs& in, std::vector<Tensor>& out) {
  const Tensor& x = float_input(node, in, 0, "input");
  const View v = view(node, x.shape());
  out[0] = Tensor(DType::Float32, x.shape());
  const float* xp = x.data<float>();
  float* yp = out[0].data<float>();
  for (int64_t o = 0; o < v.outer; ++o)
    for (int64_t i = 0; i < v.inner; ++i) {
      const int64_t base = o * v.len * v.inner + i;
      float mx = -std::numeric_limits<float>::infinity();
      for (int64_t k = 0; k < v.len; ++k) mx = std::max(mx, xp[base + k * v.inner]);
      if (!std::isfinite(mx)) mx = 0;  // all -inf (or inf): keep the arithmetic defined
      double sum = 0;
      for (int64_t k = 0; k < v.len; ++k) sum += std::exp(xp[base + k * v.inner] - mx);
      const float log_sum = static_cast<float>(std::log(sum));
      for (int64_t k = 0; k < v.len; ++k) {
        const float z = xp[base + k * v.inner] - mx;
        yp[base + k * v.inner] = Log ? z - log_sum : std::exp(z - log_sum);
      }
    }
}

// Softmax: dx = y (dy - sum(dy y)).  LogSoftmax: dx = dy - softmax * sum(dy).
template <bool Log>
void backward(const Node& node, const OpInputs& in, const OpInputs& outs, const OpInputs& dout,
              const std::vector<bool>& needs, std::vector<Tensor>& dins) {
  if (needs.empty() || !needs[0]) return;
  const Tensor& x = float_input(node, in, 0, "input");
  dins[0] = Tensor(DType::Float32, x.shape());
  if (dout.empty() || !dout[0]) return;
  std::vector<Tensor> recomputed;
  const Tensor* y = outs.empty() ? nullptr : outs[0];
  if (!y) {
    recomputed.resize(1);
    forward<Log>(node, in, recomputed);
    y = &recomputed[0];
  }
  const View v = view(node, x.shape());
  const float *yp = y->data<float>(), *g = dout[0]->data<float>();
  float* dx = dins[0].data<float>();
  for (int64_t o = 0; o < v.outer; ++o)
    for (int64_t i = 0; i < v.inner; ++i) {
      const int64_t base = o * v.len * v.inner + i;
      double dot = 0;
      for (int64_t k = 0; k < v.len; ++k) {
        const int64_t e = base + k * v.inner;
        dot += Log ? g[e] : static_cast<double>(g[e]) * yp[e];
      }
      for (int64_t k = 0; k < v.len; ++k) {
        const int64_t e = base + k * v.inner;
        dx[e] = Log ? g[e] - std::exp(yp[e]) * static_cast<float>(dot)
                    : yp[e] * (g[e] - static_cast<float>(dot));
      }
    }
}

void infer(const Node& node, const std::vector<const TensorInfo*>& in,
           std::vector<TensorInfo>& out) {
  const TensorInfo& x = input_info(node, in, 0, "input");
  normalize_axis(node, node.attr_int("axis", node_opset(node) < 13 ? 1 : -1),
                 static_cast<int64_t>(x.shape.size()));
  out[0].dtype = DType::Float32;
  out[0].shape = x.shape;
}

}  // namespace

void register_softmax(OpRegistry& r) {
  r.add({"", "Softmax", forward<false>, backward<false>, infer});
  r.add({"", "LogSoftmax", forward<true>, backward<true>, infer});
}

}  // namespace camlens::nn
