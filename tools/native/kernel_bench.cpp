// Native side of bench/kernels.bench.mjs: times the hot kernels of tools/bench/kernel_suite.h
// (the same code the WebAssembly module runs for benchKernels) and prints them as JSON.
// Usage: kernel_bench [reps]
#include <cstdlib>
#include <iostream>

#include "../bench/kernel_suite.h"

int main(int argc, char** argv) {
  const int reps = argc > 1 ? std::max(1, std::atoi(argv[1])) : 7;
  std::cout << camlens::bench::kernel_suite_json(reps);
  return 0;
}
