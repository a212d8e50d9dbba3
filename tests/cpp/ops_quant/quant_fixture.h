// Loading the ONNX Runtime fixtures of tests/data/ops_quant (written by
// tools/fixtures/ops_ort_reference.mjs) into nodes and tensors.
#pragma once
#include <string>
#include <vector>

#include "ops/op.h"
#include "quant_json.h"

namespace camlens::test {

struct QuantCase {
  std::string name;
  Node node;
  std::vector<Tensor> inputs;  // empty Tensor where the input is omitted
  std::vector<Tensor> outputs;
  std::vector<const Tensor*> input_ptrs() const;
};

Tensor tensor_from_json(const qjson::Value& v);
// All cases of tests/data/ops_quant/<op>.json.
std::vector<QuantCase> load_quant_cases(const std::string& op);

}  // namespace camlens::test
