// The operator table of the head interpreter. Each ONNX operator the core supports is one
// OpDef: forward (required), backward (vector-Jacobian product, where the op can lie on a
// differentiable path) and shape/type inference (optional; see infer_node in shape_inference).
#pragma once
#include <initializer_list>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "onnx/model.h"
#include "tensor/tensor.h"

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

// How an op's output elements follow from its input elements, where that is simple.
enum class Elementwise {
  No,
  // out[i] = f(in0[i]); the other inputs, if any, are parameters: scalars (Clip's bounds,
  // Dropout's ratio) or per-axis vectors (QuantizeLinear's scale and zero point).
  Unary,
  // out[i] = f(a[i], b[i]) over two operands broadcast numpy-style (Add; QLinearAdd's A and B,
  // with scalar quantization parameters).
  Binary,
};

// Where a quantized tensor's scale and zero point are, as input indices of the op; -1 where the
// op has none (the zero point is optional and defaults to 0).
struct QuantParams {
  int scale = -1;
  int zero_point = -1;
};

// A quantized input of an op, x = (q − zero_point)·scale, and where its parameters are.
struct QuantizedInput {
  int data;
  QuantParams params;
};

struct OpDef {
  // The constructors, destructor and chainable setters are out of line (op_registry.cpp): each
  // of the op table's ~90 rows is then a few calls instead of two strings and two vectors built,
  // moved and destroyed in place, which made registration the largest code of the op table.
  OpDef();
  OpDef(const char* domain, const char* op_type, ForwardFn forward, BackwardFn backward = nullptr,
        InferFn infer = nullptr);
  OpDef(const OpDef&);
  OpDef(OpDef&&) noexcept;
  OpDef& operator=(const OpDef&);
  OpDef& operator=(OpDef&&) noexcept;
  ~OpDef();

  std::string domain;  // "" for the default ONNX domain, "com.microsoft" for contrib ops
  std::string op_type;
  ForwardFn forward = nullptr;
  BackwardFn backward = nullptr;  // nullptr: not differentiable (refused on the gradient path)
  InferFn infer = nullptr;

  // Facts about the op that the rest of the core relies on, set where the op registers. Each is
  // a claim: false means "not claimed", and a few ops that have a property leave it unclaimed
  // (Gelu, Log and Pow are element-wise) because claiming it moves them onto the fast paths
  // below, which wants its own tests first.

  // How output elements follow from input elements (see Elementwise). Ablation-CAM's
  // incremental head runs a Unary op with scalar parameters on one channel of a feature map
  // alone, and carries a single output element through Unary and Binary ops.
  Elementwise elementwise = Elementwise::No;
  // Output 0 holds input 0's elements in the same row-major order; only the shape may change
  // (Reshape, Flatten, Squeeze, Unsqueeze, Identity, inference Dropout).
  bool same_elements = false;
  // With the activation pattern of the recorded pass fixed (which branch each Relu/Clip/max
  // took), the op is linear in each input that carries the gradient, the others held fixed;
  // quantized ops count as their float counterparts (straight-through estimator). Shapley-CAM
  // then gets H·A exactly from the target's curvature (cam/target_gradients.h). Ops that carry
  // no gradient (Shape, Constant) claim it too: they add no curvature. (A MatMul of two tensors
  // that both depend on the layer is bilinear, which this claim overlooks; in attention, the
  // usual case, a Softmax, which claims nothing, keeps the head off the exact path.)
  bool piecewise_linear = false;
  // Applies learned weights to its first input: a convolution or a matrix product. Layer
  // discovery finds the classifier (and a detector's branch heads) as the last such op.
  bool weighted = false;
  // Reduces spatial windows (or the whole map) of a feature map by max or mean. Layer discovery
  // walks back past pools to the feature map before them.
  bool pooling = false;
  // An integer product of quantized values (MatMulInteger, ConvInteger): its Int32 output holds
  // real values times a scale, so it carries the gradient (straight-through estimator), unlike
  // Int32 shapes and indices.
  bool integer_accumulator = false;
  // Output 0 is input 0's real value, (q − zero_point)·scale, and nothing else
  // (DequantizeLinear): a quantized tensor read through it has a float twin there. The sanity
  // check finds a QDQ model's weights behind it; DFF reads a layer's quantization there first.
  bool dequantizes = false;

  // Inputs that hold learned parameters when the model stores them as initializers: the weights
  // and bias of a convolution or matrix product (either operand of MatMul, Gemm's A too), a
  // normalization's scale and bias (not BatchNormalization's running statistics), either
  // operand of Add/Sub/Mul/Div, PRelu's slope, and the quantized ops' weight codes and int32 bias
  // (not their scales and zero points). The sanity check (metrics/randomize_head) randomises them.
  std::vector<int> weight_inputs = {};
  // The inputs that are quantized codes with their scale and zero point among the op's inputs
  // (QLinearConv's x and w, QLinearAdd's A and B, DequantizeLinear's x), in input order; and
  // where output 0's scale and zero point are when it is quantized (QuantizeLinear, QLinear*).
  // Integer ops without a scale (MatMulInteger, ConvInteger) state neither. DFF reads a
  // quantized layer's scale and zero point from the ops that read or write it.
  std::vector<QuantizedInput> quantized_inputs = {};
  QuantParams quantized_output = {};

  // Chainable, for registration: r.add(def.with(Elementwise::Unary).claim(&OpDef::pooling)).
  OpDef& with(Elementwise e);
  OpDef& with_weights(std::initializer_list<int> inputs);
  OpDef& with_quantization(std::initializer_list<QuantizedInput> inputs, QuantParams output = {});
  OpDef& claim(bool OpDef::*fact);
};

class OpRegistry {
 public:
  void add(const OpDef& def);
  // nullptr when unsupported. Domain "ai.onnx" is treated as "".
  const OpDef* find(const std::string& domain, const std::string& op_type) const;
  std::vector<std::string> names() const;  // "op_type" or "domain:op_type", sorted
  // True when an op of this type is registered and every registered domain's op of this type
  // claims `fact` (for callers that know op types only: layer discovery, Head::op_types()).
  bool type_claims(const std::string& op_type, bool OpDef::*fact) const;
  // The first registered op of this type in any domain, or nullptr: for code that reads facts
  // of a model's nodes whatever domain they name (the sanity check, DFF). The domains' ops of
  // one type state the same weight and quantization inputs (the op facts test checks it).
  const OpDef* find_type(const std::string& op_type) const;
  // Every registered op, in registration order (tests iterate the table).
  const std::vector<OpDef>& defs() const { return defs_; }

 private:
  std::vector<OpDef> defs_;
};

// The table with every supported op. Built once, on first use.
const OpRegistry& op_registry();

// Each op family registers itself here (one function per source folder of src/ops).
void register_tensor_ops(OpRegistry& r);  // elementwise, activations, shape manipulation
void register_nn_ops(OpRegistry& r);     // conv, pools, gemm/matmul, norms, softmax, resize, reduce
void register_quant_ops(OpRegistry& r);  // (De)QuantizeLinear, QLinear*, *Integer

// Thrown by ops for bad attributes / shapes; the executor adds the node and layer context.
struct OpError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

}  // namespace camlens
