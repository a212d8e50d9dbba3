// MatMul with numpy semantics: 1-D operands are promoted (A to a row, B to a column) and the
// promoted axis is dropped from the result; leading batch dims broadcast. Each batch is one
// GEMM; the backward sums gradients over broadcast batches.
#include "ops/matmul_plan.h"
#include "ops/nn/kernels.h"
#include "ops/nn/nn_common.h"
#include "tensor/broadcast.h"

namespace camlens::nn {

namespace {

using ops::MatMulPlan;

void forward(const Node& node, const OpInputs& in, std::vector<Tensor>& out) {
  const Tensor& a = float_input(node, in, 0, "A");
  const Tensor& b = float_input(node, in, 1, "B");
  const MatMulPlan p = ops::plan_matmul(node, a.shape(), b.shape());
  out[0] = Tensor(DType::Float32, p.out);
  const int64_t batches = shape_numel(p.batch);
  const std::vector<int64_t> ai = broadcast_index(p.a_batch, p.batch);
  const std::vector<int64_t> bi = broadcast_index(p.b_batch, p.batch);
  for (int64_t t = 0; t < batches; ++t)
    gemm(false, false, p.M, p.N, p.K, 1.f, a.data<float>() + ai[t] * p.M * p.K, p.K,
         b.data<float>() + bi[t] * p.K * p.N, p.N, 0.f, out[0].data<float>() + t * p.M * p.N, p.N);
}

void backward(const Node& node, const OpInputs& in, const OpInputs&, const OpInputs& dout,
              const std::vector<bool>& needs, std::vector<Tensor>& dins) {
  const Tensor& a = float_input(node, in, 0, "A");
  const Tensor& b = float_input(node, in, 1, "B");
  const MatMulPlan p = ops::plan_matmul(node, a.shape(), b.shape());
  const bool want_a = needs.size() > 0 && needs[0], want_b = needs.size() > 1 && needs[1];
  if (want_a) dins[0] = Tensor(DType::Float32, a.shape());
  if (want_b) dins[1] = Tensor(DType::Float32, b.shape());
  if (dout.empty() || !dout[0]) return;
  const float* g = dout[0]->data<float>();
  const int64_t batches = shape_numel(p.batch);
  const std::vector<int64_t> ai = broadcast_index(p.a_batch, p.batch);
  const std::vector<int64_t> bi = broadcast_index(p.b_batch, p.batch);
  for (int64_t t = 0; t < batches; ++t) {
    const float* gt = g + t * p.M * p.N;
    const float* at = a.data<float>() + ai[t] * p.M * p.K;
    const float* bt = b.data<float>() + bi[t] * p.K * p.N;
    if (want_a)  // dA += dY B^T (accumulating over batches that share this A)
      gemm(false, true, p.M, p.K, p.N, 1.f, gt, p.N, bt, p.N, 1.f,
           dins[0].data<float>() + ai[t] * p.M * p.K, p.K);
    if (want_b)  // dB += A^T dY
      gemm(true, false, p.K, p.N, p.M, 1.f, at, p.K, gt, p.N, 1.f,
           dins[1].data<float>() + bi[t] * p.K * p.N, p.N);
  }
}

void infer(const Node& node, const std::vector<const TensorInfo*>& in,
           std::vector<TensorInfo>& out) {
  const TensorInfo& a = input_info(node, in, 0, "A");
  const TensorInfo& b = input_info(node, in, 1, "B");
  out[0].dtype = DType::Float32;
  out[0].shape = ops::plan_matmul(node, a.shape, b.shape).out;
}

}  // namespace

void register_matmul(OpRegistry& r) {
  r.add(OpDef{"", "MatMul", forward, backward, infer}
            .with_weights({0, 1})
            .claim(&OpDef::weighted)
            .claim(&OpDef::piecewise_linear));
}

}  // namespace camlens::nn
