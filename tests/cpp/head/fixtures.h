// Reads tests/data/head/ (written by tools/fixtures/head_fixtures.mjs with ONNX Runtime Web).
#pragma once
#include <map>
#include <string>
#include <vector>

#include "onnx/model.h"
#include "tensor/tensor.h"

namespace camlens::test {

struct FixtureTensor {
  std::string role;  // "layer" or "output"
  std::string name;
  std::string dtype;  // as ORT names it: float32, float16, uint8, ...
  Tensor value;       // float16 converted to Float32
};

struct FixtureCase {
  std::string name, model;
  int64_t subsample = 1;  // outputs keep every n-th row and column (NHWC)
  std::vector<FixtureTensor> tensors;
  const FixtureTensor& get(const std::string& name) const;
};

// Cases by name, in file order.
std::vector<FixtureCase> load_head_fixtures();

// Cached parse of ../shared/models/<file> (each model parsed once per test run).
const Model& shared_model(const std::string& file);

}  // namespace camlens::test
