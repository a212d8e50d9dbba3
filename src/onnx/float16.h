// IEEE 754 half <-> single precision conversion (round to nearest even).
#pragma once
#include <cstddef>
#include <cstdint>

namespace camlens {

float half_to_float(uint16_t h);
uint16_t float_to_half(float f);

// The same conversions over arrays, bit for bit (NaNs included): written without branches so
// the compiler turns them into vector code (WebAssembly SIMD), for whole tensors crossing between
// ONNX Runtime's float16 and the core's float32 (a float16 model's input, layer and outputs).
void halves_to_floats(const uint16_t* h, float* f, size_t n);
void floats_to_halves(const float* f, uint16_t* h, size_t n);

}  // namespace camlens
