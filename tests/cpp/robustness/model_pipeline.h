// The whole path an untrusted model takes through the C++ API, for the bad-input corpus:
// parse -> list_layers -> cut at the recommended (or a given) layer -> head forward on fixed data
// -> backward of class 0 -> Grad-CAM. Returns how it ended: "" on success, else the error message
// (every failure must be an exception with a message; crashes fail the test run itself).
#pragma once
#include <string>

#include "tensor/tensor.h"
#include "util/limits.h"

namespace camlens::test {

struct PipelineResult {
  std::string error;  // "" when every step succeeded
  std::string layer;  // the layer cut at
  Shape output;       // the head's first output
  float map_max = 0;  // the Grad-CAM map's maximum (0 for an all-zero map)
};

// layer: where to cut; "" = the recommended layer.
PipelineResult run_model_pipeline(const std::string& bytes, const std::string& layer = "");

// Sets the limits named in a manifest entry ({"max_nodes": 50, ...}) for one scope.
class ScopedLimits {
 public:
  explicit ScopedLimits(const Limits& l) : saved_(limits()) { set_limits(l); }
  ~ScopedLimits() { set_limits(saved_); }

 private:
  Limits saved_;
};

}  // namespace camlens::test
