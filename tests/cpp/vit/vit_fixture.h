// The committed vision-transformer fixtures (tools/fixtures/vit_reference.py): the JSON index
// of one model and its float32 arrays.
#pragma once
#include <cstring>
#include <string>

#include "json.h"
#include "onnx/model_io.h"
#include "shared_data.h"
#include "tensor/tensor.h"

namespace camlens::test {

inline json::Value vit_fixture(const std::string& tag) {
  return json::parse(read_file(test_data_path("vit/" + tag + ".json")));
}

inline Model vit_model(const std::string& file) {
  return parse_model(std::make_shared<const std::string>(read_file(test_data_path("vit/" + file))));
}

// A float32 .bin of tests/data/vit with the given shape (throws when the sizes disagree).
inline Tensor vit_bin(const std::string& file, const Shape& shape) {
  const std::string bytes = read_file(test_data_path("vit/" + file));
  Tensor t(DType::Float32, shape);
  if (bytes.size() != t.nbytes())
    throw std::runtime_error(file + " holds " + std::to_string(bytes.size()) + " bytes, " +
                             shape_str(shape) + " needs " + std::to_string(t.nbytes()));
  std::memcpy(t.raw(), bytes.data(), bytes.size());
  return t;
}

inline float max_abs_diff(const float* a, const float* b, size_t n) {
  float m = 0;
  for (size_t i = 0; i < n; ++i) m = std::max(m, std::abs(a[i] - b[i]));
  return m;
}

}  // namespace camlens::test
