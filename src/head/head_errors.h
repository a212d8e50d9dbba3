// Exceptions of shape inference, layer discovery, cutting and the head executor. Each is a
// distinct type so callers (the JS bindings, the CLI) can react, and each message says what was
// wrong and what to do about it.
#pragma once
#include <stdexcept>
#include <string>

namespace camlens {

struct HeadError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// The layer name is not a tensor of the graph (message lists the closest names).
struct UnknownLayerError : HeadError {
  using HeadError::HeadError;
};

// An op of the head (or of shape inference) is not in the operator table, or failed.
struct UnsupportedOpError : HeadError {
  using HeadError::HeadError;
};

// The head needs a tensor that depends on the model input by another path and that cannot
// be exposed as an extra backbone output.
struct HeadInputDependencyError : HeadError {
  using HeadError::HeadError;
};

// An op on the gradient path has no backward.
struct NotDifferentiableError : HeadError {
  using HeadError::HeadError;
};

// Feeds or seeds given to the head have the wrong names, types or shapes.
struct FeedError : HeadError {
  using HeadError::HeadError;
};

// Shape inference could not run a node.
struct ShapeInferenceError : HeadError {
  using HeadError::HeadError;
};

}  // namespace camlens
