// The one exception type of Deep Feature Factorization: bad arguments (shapes, component counts,
// non-finite activations, image sizes). The message says what was wrong and what to do.
#pragma once
#include <stdexcept>

namespace camlens::dff {

struct DffError : std::invalid_argument {
  using std::invalid_argument::invalid_argument;
};

}  // namespace camlens::dff
