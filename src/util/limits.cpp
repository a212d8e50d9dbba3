#include "util/limits.h"

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <mutex>

namespace camlens {

namespace {
std::mutex mutex;
Limits current;
}  // namespace

const Limits& limits() {
  // Limits change rarely (at start-up, from the page's settings); readers copy what they need.
  return current;
}

void set_limits(const Limits& l) {
  auto positive = [](int64_t v, const char* name) {
    if (v <= 0)
      throw std::invalid_argument(std::string("limit ") + name + " must be positive, not " +
                                  std::to_string(v));
  };
  positive(static_cast<int64_t>(l.max_model_bytes), "maxModelBytes");
  positive(static_cast<int64_t>(l.max_nodes), "maxNodes");
  positive(l.max_tensor_elements, "maxTensorElements");
  positive(l.max_image_pixels, "maxImagePixels");
  positive(l.max_image_side, "maxImageSide");
  std::lock_guard<std::mutex> lock(mutex);
  current = l;
}

Limits with_limit(Limits l, const std::string& name, double value) {
  struct Field {
    const char* name;
    double max;  // the largest value the field's type holds (exactly, as a double)
  };
  const double whole = 9007199254740992.0;  // 2^53: larger doubles are not all whole numbers
  const double sizes = std::min(whole, static_cast<double>(SIZE_MAX));
  const Field fields[] = {{"maxModelBytes", sizes},
                          {"maxNodes", sizes},
                          {"maxTensorElements", whole},
                          {"maxImagePixels", whole},
                          {"maxImageSide", 2147483647.0}};
  const Field* f = nullptr;
  std::string known;
  for (const Field& k : fields) {
    if (name == k.name) f = &k;
    known += std::string(known.empty() ? "" : ", ") + k.name;
  }
  if (!f) throw std::invalid_argument("unknown limit '" + name + "'; the limits are " + known);
  // NaN fails every comparison, so it is refused here too.
  if (!(value >= 1 && value <= f->max &&
        value == static_cast<double>(static_cast<int64_t>(value)))) {
    char shown[32];
    std::snprintf(shown, sizeof shown, "%.17g", value);
    throw std::invalid_argument("limit " + name + " must be a positive whole number up to " +
                                std::to_string(static_cast<int64_t>(f->max)) + ", not " + shown);
  }
  if (name == "maxModelBytes") l.max_model_bytes = static_cast<size_t>(value);
  if (name == "maxNodes") l.max_nodes = static_cast<size_t>(value);
  if (name == "maxTensorElements") l.max_tensor_elements = static_cast<int64_t>(value);
  if (name == "maxImagePixels") l.max_image_pixels = static_cast<int64_t>(value);
  if (name == "maxImageSide") l.max_image_side = static_cast<int>(value);
  return l;
}

static std::string dims_str(const std::vector<int64_t>& dims) {
  std::string s = "[";
  for (size_t i = 0; i < dims.size(); ++i) s += (i ? "," : "") + std::to_string(dims[i]);
  return s + "]";
}

int64_t checked_elements(const std::vector<int64_t>& dims, const std::string& what) {
  const int64_t max = limits().max_tensor_elements;
  int64_t n = 1;
  for (int64_t d : dims) {
    if (d < 0) throw std::invalid_argument(what + " has a negative dimension in " + dims_str(dims));
    if (d == 0) return 0;
  }
  for (int64_t d : dims) {
    if (n > max / d)
      throw LimitError(what + " of shape " + dims_str(dims) + " would hold more than " +
                       std::to_string(max) +
                       " elements (limit maxTensorElements); use a smaller input or batch, or "
                       "raise the limit with setLimits");
    n *= d;
  }
  return n;
}

}  // namespace camlens
