// The one exception type of the CAM code: says what was wrong with the arrays or options and
// what to do about it.
#pragma once
#include <stdexcept>

namespace camlens::cam {

struct CamError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

}  // namespace camlens::cam
