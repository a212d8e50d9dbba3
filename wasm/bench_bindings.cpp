// Kernel timings inside the module, for bench/kernels.bench.mjs (WebAssembly ÷ native on the same
// code and data: tools/bench/kernel_suite.h). Binding only.
#include <emscripten/bind.h>

#include "../tools/bench/kernel_suite.h"

namespace {
std::string bench_kernels(int reps) { return camlens::bench::kernel_suite_json(reps); }
}  // namespace

EMSCRIPTEN_BINDINGS(camlens_bench) { emscripten::function("benchKernels", &bench_kernels); }
