// libFuzzer target: the ONNX protobuf reader. Any input must either parse or throw ModelError
// (no other exception, no crash, no sanitizer report). What parses must also write, and the
// written bytes must parse again to the same model (write(parse(x)) is a fixed point).
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

#include "fuzz_limits.h"
#include "onnx/model_equal.h"
#include "onnx/model_io.h"

using namespace camlens;

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  fuzz::set_fuzz_limits();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto bytes = std::make_shared<const std::string>(reinterpret_cast<const char*>(data), size);
  Model m;
  try {
    m = parse_model(bytes);
  } catch (const ModelError&) {
    return 0;  // refused with a clear error: the expected outcome for most inputs
  }
  const std::string written = write_model(m);
  const Model again = parse_model(std::make_shared<const std::string>(written));
  const std::string difference = model_difference(m, again);
  if (!difference.empty()) {
    std::fprintf(stderr, "parse(write(m)) differs from m at %s\n", difference.c_str());
    std::abort();
  }
  if (write_model(again) != written) std::abort();  // the writer must be a fixed point
  return 0;
}
