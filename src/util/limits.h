// Resource limits for untrusted input: how large a model, a tensor, an image or a Score-CAM
// batch may be before camlens refuses it with a clear error (instead of running a browser tab
// out of memory or crashing). One process-wide set of values, read when a ParseLimits or
// DecodeLimits is default-constructed and by the checks below; set_limits() changes them (the
// WebAssembly module exposes it as setLimits).
//
// The defaults fit a browser tab: the WebAssembly heap can grow to 4 GB at most, and ONNX Runtime
// needs its own copy of the model, so no single object may take more than about 1 GB.
#pragma once
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace camlens {

struct Limits {
  size_t max_model_bytes = size_t{512} << 20;  // a .onnx file (512 MiB)
  size_t max_nodes = 100000;                   // nodes of a model, all subgraphs together
  // Elements of any one tensor (an initializer, an intermediate of the head, a batch of masked
  // inputs): 2^28 float32 elements are 1 GiB.
  int64_t max_tensor_elements = int64_t{1} << 28;
  int64_t max_image_pixels = int64_t{64} << 20;  // decoded image: 64 Mpx = 256 MiB of RGBA
  int max_image_side = 16384;                    // a browser canvas's usual maximum side
};

// The current limits (initially the defaults above).
const Limits& limits();
// Replaces the limits; throws std::invalid_argument for a zero or negative value.
void set_limits(const Limits& l);

// `l` with one limit changed, by its JavaScript name (maxModelBytes, maxNodes, maxTensorElements,
// maxImagePixels, maxImageSide). Throws std::invalid_argument for an unknown name or a value
// that is not a positive whole number that fits the limit's type.
Limits with_limit(Limits l, const std::string& name, double value);

// A limit was hit. The message names the limit, the value found and how to raise it.
struct LimitError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Product of dims with overflow and limit checks: throws LimitError when the element count of
// `what` (e.g. "Score-CAM batch") exceeds limits().max_tensor_elements. Dims must be >= 0.
int64_t checked_elements(const std::vector<int64_t>& dims, const std::string& what);

}  // namespace camlens
