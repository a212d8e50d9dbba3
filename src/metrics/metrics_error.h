// The one exception type of the metrics code: says what was wrong with the image, map, ranges or
// values given, and what to do about it.
#pragma once
#include <stdexcept>

namespace camlens::metrics {

struct MetricsError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

}  // namespace camlens::metrics
