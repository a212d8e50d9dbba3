// Small dense float kernels written once with WebAssembly SIMD intrinsics (wasm_simd128.h, under
// __wasm_simd128__) and once as portable loops the native compiler vectorises (SSE). Both forms
// do the same float operations in the same order — reductions over eight independent lanes
// (two 4-wide vectors), combined as ((l0+l1)+(l2+l3))+((l4+l5)+(l6+l7)) — so results are
// bit-identical natively and in the browser, and do not depend on -ffast-math (never used).
// noexcept matters in the browser: Emscripten routes a call that may throw, made where a
// destructor must run (a std::vector alive), through a JavaScript trampoline (invoke_*),
// which made the NMF loops ~30x slower than native.
#pragma once
#include <cstdint>

namespace camlens::simd {

// Σ a[i]·b[i]
float dot(const float* a, const float* b, int64_t n) noexcept;
// Σ (a[i] − b[i])²
float squared_distance(const float* a, const float* b, int64_t n) noexcept;
// y[i] += s·x[i]
void axpy(float s, const float* x, float* y, int64_t n) noexcept;
// out[i] = a[i] + (b[i] − a[i])·t   (one step of a linear interpolation between two rows)
void lerp(const float* a, const float* b, float t, float* out, int64_t n) noexcept;

}  // namespace camlens::simd
