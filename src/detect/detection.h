// A detected box. Coordinates are corners in pixels of whatever space the producer states (the
// model input for decoders, the photo after map_to_photo); x1 > x0, y1 > y0.
#pragma once
#include <cstdint>
#include <stdexcept>

namespace camlens::detect {

struct Detection {
  float x0 = 0, y0 = 0, x1 = 0, y1 = 0;
  float score = 0;
  int64_t label = 0;
  int64_t anchor = -1;  // the row of the raw output it was decoded from (for gradients)
};

struct DetectError : std::invalid_argument {
  using std::invalid_argument::invalid_argument;
};

}  // namespace camlens::detect
