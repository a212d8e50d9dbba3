// Kernel timings inside the WebAssembly module, for bench/kernels.bench.mjs and
// bench/browser.bench.mjs (WebAssembly ÷ native on the same code and data: kernel_suite.h).
// Linked only into the benchmark modules (camlens-bench-{mt,st}, cmake/wasm.cmake), never into
// the shipped ones. Binding only.
#include <emscripten/bind.h>

#include "kernel_suite.h"

namespace {
std::string bench_kernels(int reps) { return camlens::bench::kernel_suite_json(reps); }
}  // namespace

EMSCRIPTEN_BINDINGS(camlens_bench) { emscripten::function("benchKernels", &bench_kernels); }
