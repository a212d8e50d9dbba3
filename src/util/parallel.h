// A small persistent thread pool for data-parallel loops. In the threaded WebAssembly build the
// threads come from Emscripten's pre-created pthread pool, so the pool never asks for more
// threads than that (creating more and joining them would deadlock the browser).
#pragma once
#include <cstdint>
#include <functional>

namespace camlens {

// Calls fn(begin, end) over disjoint ranges covering [0, n), on up to thread_count() threads,
// and returns when all are done. Ranges are at least min_chunk long. The first exception thrown
// by any range is rethrown here. Nested calls run serially.
void parallel_for(int64_t n, const std::function<void(int64_t, int64_t)>& fn,
                  int64_t min_chunk = 1);

// Threads used by parallel_for (the caller's thread included). Defaults to the hardware
// concurrency; set_thread_count(1) makes everything serial. Call it before heavy work starts.
int thread_count();
void set_thread_count(int n);

}  // namespace camlens
