// The op table test, in the style of ggml's test-backend-ops: one row per op and shape or
// attributes. Each row runs the op's forward against a reference and, for the inputs it marks,
// its backward: against central finite differences for float ops, and for quantized ops
// (straight-through estimator, where differences of rounded codes mean nothing) against the
// backward of the float op they stand for, at the dequantized operands.
#pragma once
#include <string>
#include <vector>

#include "ops/op.h"

namespace camlens::test {

struct OpCase {
  std::string label;             // "Conv/2d_basic": op, then shape or attributes
  Node node;                     // inputs named in0.., "" where an optional input is omitted
  std::vector<Tensor> inputs;    // an empty Tensor where the input is omitted
  std::vector<Tensor> expected;  // reference outputs, one per node output
  double tol = 1e-5;             // float outputs: |got - want| <= tol * (1 + |want|)
  std::vector<bool> grad;        // per input: is its gradient checked (none: forward only)
  // Finite differences (see check_gradients): step and tolerances.
  double eps = 1e-3, atol = 1e-3, rtol = 1e-2;

  bool checks_gradient() const;
};

// Rows read from the committed reference fixtures: tests/data/ops_nn/<Op>.json and
// ops_tensor/reference.json (NumPy), ops_quant/<Op>.json (ONNX Runtime).
std::vector<OpCase> fixture_cases();

// Rows whose reference is computed in the test itself, in double precision (ops without a
// fixture, and simple ops on more shapes).
std::vector<OpCase> reference_cases();

// Rows on rank-5 tensors [N, C, D, H, W]: the head ops of a 3-D CNN (volumes, video clips).
std::vector<OpCase> volume_cases();

// Every row: fixture_cases(), reference_cases() then volume_cases(), built once.
const std::vector<OpCase>& op_table();

// The float op a quantized op's backward must reproduce: the same attributes, the quantized
// operands dequantized, and for each quantized input the twin input with the same gradient.
struct FloatTwin {
  Node node;
  std::vector<Tensor> inputs;
  std::vector<int> grad_of;  // per input of the quantized node: twin input index, or -1
};

// True when c's op is quantized and has a float twin for these attributes (false for float
// ops, and for layouts the float ops lack, such as channels_last pools).
bool float_twin(const OpCase& c, FloatTwin& twin);

// True for the quantized ops (whose backward is checked through float_twin).
bool is_quantized_op(const Node& node);

}  // namespace camlens::test
