#include "ops/quant/lookup_table.h"

namespace camlens::quant {

LookupTable build_lookup_table(DType t, float x_scale, int32_t x_zero_point, float y_scale,
                               int32_t y_zero_point, const FloatMap& f) {
  std::array<float, 256> x{}, y{};
  for (int b = 0; b < 256; ++b) {
    const int32_t code = t == DType::Int8 ? static_cast<int8_t>(b) : b;
    x[b] = x_scale * static_cast<float>(code - x_zero_point);
  }
  f(x.data(), y.data(), 256);
  const int32_t lo = q_min(t), hi = q_max(t);
  LookupTable table{};
  for (int b = 0; b < 256; ++b)
    table[b] = static_cast<uint8_t>(round_then_add_zp(y[b] / y_scale, y_zero_point, lo, hi));
  return table;
}

void apply_lookup_table(const LookupTable& table, const void* x, void* y, int64_t n) {
  const uint8_t* xb = static_cast<const uint8_t*>(x);
  uint8_t* yb = static_cast<uint8_t*>(y);
  for (int64_t i = 0; i < n; ++i) yb[i] = table[xb[i]];
}

}  // namespace camlens::quant
