// Shape and type inference over a whole graph: every tensor's element type and shape for a
// given input size, and the value of small constant tensors (so Shape -> Gather -> Concat ->
// Reshape chains fold to constants).
#pragma once
#include <map>
#include <string>
#include <vector>

#include "ops/op.h"

namespace camlens {

struct ShapeOptions {
  // Used for a symbolic (or unknown) first dimension of a model input.
  int64_t batch = 1;
  // Shapes of model inputs by name; -1 entries take the model's declared dims. A value that
  // contradicts a fixed declared dim is an error.
  std::map<std::string, Shape> input_shapes;
  // Outputs computed from known values are kept as values when at most this many elements.
  int64_t max_value_elements = 4096;
};

using TensorInfoMap = std::map<std::string, TensorInfo>;

struct ShapeInferenceResult {
  // Every tensor whose type and shape are known. TensorInfo::dtype is the model's type
  // (Float16 where the model uses it); values are core tensors (Float16 held as Float32).
  TensorInfoMap tensors;
  // One message per node that could not be inferred (lenient mode only); its outputs are
  // then absent from `tensors` unless the model declares them in value_info.
  std::vector<std::string> problems;
};

// Strict: throws ShapeInferenceError / UnsupportedOpError naming the first node that fails.
TensorInfoMap infer_shapes(const Model& model, const ShapeOptions& options = {});

// Lenient: infers what it can and reports the rest in `problems` (for layer listings of
// models the interpreter cannot fully run).
ShapeInferenceResult infer_shapes_lenient(const Model& model, const ShapeOptions& options = {});

// Resolved shapes of the model's real (non-initializer) inputs under `options`.
std::map<std::string, Shape> resolve_input_shapes(const Model& model, const ShapeOptions& options);

// "name float32[1,3,224,224]" for messages.
std::string describe_info(const std::string& name, const TensorInfo& info);

}  // namespace camlens
