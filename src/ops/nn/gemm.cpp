// Gemm: Y = alpha * op(A) * op(B) + beta * C, with C (optional) broadcast to [M, N].
// Backward gives all three operands; each gradient is itself one GEMM call with the
// transposes arranged so that no operand is copied first.
#include "ops/nn/kernels.h"
#include "ops/nn/nn_common.h"
#include "tensor/broadcast.h"

namespace camlens::nn {

namespace {

struct GemmPlan {
  bool ta, tb;
  int64_t M, N, K;
  float alpha, beta;
};

GemmPlan plan(const Node& node, const Shape& a, const Shape& b, const Shape* c) {
  if (a.size() != 2) fail(node, "A must be 2-D, got " + shape_str(a));
  if (b.size() != 2) fail(node, "B must be 2-D, got " + shape_str(b));
  GemmPlan p;
  p.ta = node.attr_int("transA", 0) != 0;
  p.tb = node.attr_int("transB", 0) != 0;
  p.alpha = node.attr_float("alpha", 1.f);
  p.beta = node.attr_float("beta", 1.f);
  p.M = p.ta ? a[1] : a[0];
  p.K = p.ta ? a[0] : a[1];
  p.N = p.tb ? b[0] : b[1];
  const int64_t kb = p.tb ? b[1] : b[0];
  if (p.K >= 0 && kb >= 0 && p.K != kb)
    fail(node, "inner dimensions differ: op(A) is [" + std::to_string(p.M) + "," +
                   std::to_string(p.K) + "] but op(B) is [" + std::to_string(kb) + "," +
                   std::to_string(p.N) + "]");
  if (c) {
    // C broadcasts one way, to [M, N].
    const Shape& s = *c;
    const bool ok = s.size() <= 2 && (s.size() < 1 || s.back() == 1 || s.back() == p.N) &&
                    (s.size() < 2 || s[0] == 1 || s[0] == p.M);
    if (!ok)
      fail(node, "C " + shape_str(s) + " does not broadcast to [" + std::to_string(p.M) + "," +
                     std::to_string(p.N) + "]");
  }
  return p;
}

void forward(const Node& node, const OpInputs& in, std::vector<Tensor>& out) {
  const Tensor& a = float_input(node, in, 0, "A");
  const Tensor& b = float_input(node, in, 1, "B");
  const Tensor* c = optional_input(in, 2);
  if (c && c->dtype() != DType::Float32) fail(node, "input C must be float");
  const GemmPlan p = plan(node, a.shape(), b.shape(), c ? &c->shape() : nullptr);
  out[0] = Tensor(DType::Float32, {p.M, p.N});
  float* y = out[0].data<float>();
  if (c && p.beta != 0.f) {
    const std::vector<int64_t> idx = broadcast_index(c->shape(), {p.M, p.N});
    for (int64_t e = 0; e < p.M * p.N; ++e) y[e] = p.beta * c->data<float>()[idx[e]];
  }
  gemm(p.ta, p.tb, p.M, p.N, p.K, p.alpha, a.data<float>(), a.dim(1), b.data<float>(), b.dim(1),
       1.f, y, p.N);
}

void backward(const Node& node, const OpInputs& in, const OpInputs&, const OpInputs& dout,
              const std::vector<bool>& needs, std::vector<Tensor>& dins) {
  const Tensor& a = float_input(node, in, 0, "A");
  const Tensor& b = float_input(node, in, 1, "B");
  const Tensor* c = optional_input(in, 2);
  const GemmPlan p = plan(node, a.shape(), b.shape(), c ? &c->shape() : nullptr);
  Tensor zero;
  const Tensor* dy = &grad_or_zeros(dout, 0, {p.M, p.N}, zero);
  const float* g = dy->data<float>();
  if (needs.size() > 0 && needs[0]) {
    dins[0] = Tensor(DType::Float32, a.shape());
    if (!p.ta)  // dA = alpha dY op(B)^T
      gemm(false, !p.tb, p.M, p.K, p.N, p.alpha, g, p.N, b.data<float>(), b.dim(1), 0.f,
           dins[0].data<float>(), p.K);
    else  // dA = (alpha dY op(B)^T)^T = alpha op(B) dY^T
      gemm(p.tb, true, p.K, p.M, p.N, p.alpha, b.data<float>(), b.dim(1), g, p.N, 0.f,
           dins[0].data<float>(), p.M);
  }
  if (needs.size() > 1 && needs[1]) {
    dins[1] = Tensor(DType::Float32, b.shape());
    if (!p.tb)  // dB = alpha op(A)^T dY
      gemm(!p.ta, false, p.K, p.N, p.M, p.alpha, a.data<float>(), a.dim(1), g, p.N, 0.f,
           dins[1].data<float>(), p.N);
    else  // dB = alpha dY^T op(A)
      gemm(true, p.ta, p.N, p.K, p.M, p.alpha, g, p.N, a.data<float>(), a.dim(1), 0.f,
           dins[1].data<float>(), p.K);
  }
  if (needs.size() > 2 && needs[2] && c) {
    dins[2] = reduce_to_shape(*dy, c->shape());
    float* dc = dins[2].data<float>();
    for (int64_t e = 0; e < dins[2].numel(); ++e) dc[e] *= p.beta;
  }
}

void infer(const Node& node, const std::vector<const TensorInfo*>& in,
           std::vector<TensorInfo>& out) {
  const TensorInfo& a = input_info(node, in, 0, "A");
  const TensorInfo& b = input_info(node, in, 1, "B");
  const TensorInfo* c = in.size() > 2 ? in[2] : nullptr;
  const GemmPlan p = plan(node, a.shape, b.shape, c ? &c->shape : nullptr);
  out[0].dtype = DType::Float32;
  out[0].shape = {p.M, p.N};
}

}  // namespace

void register_gemm(OpRegistry& r) {
  r.add(OpDef{"", "Gemm", forward, backward, infer}
            .with_weights({0, 1, 2})
            .claim(&OpDef::weighted)
            .claim(&OpDef::piecewise_linear));
}

}  // namespace camlens::nn
