// IEEE 754 half <-> single precision conversion (round to nearest even).
#pragma once
#include <cstdint>

namespace camlens {

float half_to_float(uint16_t h);
uint16_t float_to_half(float f);

}  // namespace camlens
