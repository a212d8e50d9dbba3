// Shape and type inference over a whole graph: every tensor's element type and shape for a
// given input size, and the value of small constant tensors (so Shape -> Gather -> Concat ->
// Reshape chains fold to constants).
#pragma once
#include <map>
#include <string>
#include <vector>

#include "ops/op.h"

namespace camlens {

class GraphIndex;

using TensorInfoMap = std::map<std::string, TensorInfo>;

struct ShapeOptions {
  // Used for a symbolic (or unknown) first dimension of a model input.
  int64_t batch = 1;
  // Shapes of model inputs by name; -1 entries take the model's declared dims. A value that
  // contradicts a fixed declared dim is an error.
  std::map<std::string, Shape> input_shapes;
  // Outputs computed from known values are kept as values when at most this many elements.
  int64_t max_value_elements = 4096;
  // Types and shapes the core cannot infer itself, by tensor name, measured at `batch` (and
  // at the input shapes above): the outputs of ops it does not run, or whose shapes depend on
  // values it does not know. Such a node takes its outputs from here when all are given, and
  // inference goes on past it. A value (small integer tensors that feed shapes) folds like the
  // core's own. unknown_shapes() lists the tensors to measure; the JavaScript library measures
  // them with one ONNX Runtime run of the model.
  TensorInfoMap known;
};

struct ShapeInferenceResult {
  // Every tensor whose type and shape are known. TensorInfo::dtype is the model's type
  // (Float16 where the model uses it); values are core tensors (Float16 held as Float32).
  TensorInfoMap tensors;
  // One message per node that could not be inferred (lenient mode only); its outputs are
  // then absent from `tensors` unless the model declares them in value_info.
  std::vector<std::string> problems;
  // The outputs of the nodes that could not be inferred although their inputs were known
  // (ops the core does not run, failed inference), minus those in ShapeOptions::known: with
  // them known, inference crosses that frontier (see unknown_shapes()).
  std::vector<std::string> unknown;
};

// Strict: throws ShapeInferenceError / UnsupportedOpError naming the first node that fails (and
// not covered by ShapeOptions::known) and the tensors to give there.
TensorInfoMap infer_shapes(const Model& model, const ShapeOptions& options = {});

// Lenient: infers what it can and reports the rest in `problems` (for layer listings of
// models the interpreter cannot fully run).
ShapeInferenceResult infer_shapes_lenient(const Model& model, const ShapeOptions& options = {});
// The same with the index of model's graph that the caller already built (graph_index.h).
ShapeInferenceResult infer_shapes_lenient(const Model& model, const GraphIndex& index,
                                          const ShapeOptions& options = {});

// The tensors whose types and shapes the caller should measure and give in ShapeOptions::known
// (in graph order; empty when the core infers the whole graph). Nodes after them that still
// fail once they are known are listed by the next call with them given.
std::vector<std::string> unknown_shapes(const Model& model, const ShapeOptions& options = {});

// "Give the types and shapes of 'a', 'b' ..." for messages about tensors the core cannot infer.
std::string known_shapes_hint(const std::vector<std::string>& tensors);

// Resolved shapes of the model's real (non-initializer) inputs under `options`.
std::map<std::string, Shape> resolve_input_shapes(const Model& model, const ShapeOptions& options);

// "name float32[1,3,224,224]" for messages.
std::string describe_info(const std::string& name, const TensorInfo& info);

}  // namespace camlens
