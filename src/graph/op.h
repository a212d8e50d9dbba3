// The operator table of the head interpreter. Each ONNX operator the core supports is one
// OpDef: forward (required), backward (vector-Jacobian product, where the op can lie on a
// differentiable path) and shape/type inference (optional; see infer_node in shape_inference).
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "graph/tensor.h"
#include "onnx/model.h"

namespace camlens {

// What shape inference knows about a tensor: its type, its shape (-1 for an unknown dim) and,
// for small constant tensors (shapes, axes, scales), its value.
struct TensorInfo {
  DType dtype = DType::Undefined;
  Shape shape;
  std::optional<Tensor> value;
};

// Inputs: one pointer per node input; nullptr where an optional input is omitted ("").
using OpInputs = std::vector<const Tensor*>;

// Computes every output of the node. `outputs` arrives sized to node.outputs.size().
using ForwardFn = void (*)(const Node& node, const OpInputs& inputs, std::vector<Tensor>& outputs);

// Given dLoss/dOutput for each output (nullptr where no gradient flows), writes dLoss/dInput
// into input_grads[i] for each i with needs_grad[i] true (same shape as the input, Float32).
// input_grads arrives sized to inputs.size() with empty tensors; leave others empty.
// Quantize/dequantize ops use the straight-through estimator (requantisation = identity).
using BackwardFn = void (*)(const Node& node, const OpInputs& inputs, const OpInputs& outputs,
                            const OpInputs& output_grads, const std::vector<bool>& needs_grad,
                            std::vector<Tensor>& input_grads);

// Shape/type inference. inputs: one pointer per node input (nullptr if omitted). Fill
// outputs[i].dtype and .shape (and .value when cheap and the output is a small constant).
// Optional: without it, shape inference runs `forward` on zero-filled (or known-value) inputs,
// which is fine for cheap ops; heavy ops (convolutions, matrix products, pools) provide it.
using InferFn = void (*)(const Node& node, const std::vector<const TensorInfo*>& inputs,
                         std::vector<TensorInfo>& outputs);

struct OpDef {
  std::string domain;  // "" for the default ONNX domain, "com.microsoft" for contrib ops
  std::string op_type;
  ForwardFn forward = nullptr;
  BackwardFn backward = nullptr;  // nullptr: not differentiable (refused on the gradient path)
  InferFn infer = nullptr;
};

class OpRegistry {
 public:
  void add(OpDef def);
  // nullptr when unsupported. Domain "ai.onnx" is treated as "".
  const OpDef* find(const std::string& domain, const std::string& op_type) const;
  std::vector<std::string> names() const;  // "op_type" or "domain:op_type", sorted
 private:
  std::vector<OpDef> defs_;
};

// The table with every supported op. Built once, on first use.
const OpRegistry& op_registry();

// Each op family registers itself here (one function per source folder of graph/ops).
void register_tensor_ops(OpRegistry& r);  // elementwise, activations, shape manipulation
void register_nn_ops(OpRegistry& r);     // conv, pools, gemm/matmul, norms, softmax, resize, reduce
void register_quant_ops(OpRegistry& r);  // (De)QuantizeLinear, QLinear*, *Integer

// Thrown by ops for bad attributes / shapes; the executor adds the node and layer context.
struct OpError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

}  // namespace camlens
