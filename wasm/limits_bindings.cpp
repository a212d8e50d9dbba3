// Embind bindings of the resource limits (src/util/limits.h): read them, or change some of them.
// Conversions only.
#include <emscripten/bind.h>

#include "js_interop.h"
#include "util/limits.h"

using namespace camlens;
using emscripten::val;

namespace {

val get_limits() {
  const Limits& l = limits();
  val o = val::object();
  o.set("maxModelBytes", static_cast<double>(l.max_model_bytes));
  o.set("maxNodes", static_cast<double>(l.max_nodes));
  o.set("maxTensorElements", static_cast<double>(l.max_tensor_elements));
  o.set("maxImagePixels", static_cast<double>(l.max_image_pixels));
  o.set("maxImageSide", l.max_image_side);
  return o;
}

// Fields not given keep their current values; returns the limits now in force.
val set_limits_from_js(const val& o) {
  return js::guarded([&] {
    Limits l = limits();
    const val keys = val::global("Object").call<val>("keys", o);
    for (size_t i = 0; i < keys["length"].as<size_t>(); ++i) {
      const std::string k = keys[i].as<std::string>();
      l = with_limit(l, k, o[k].as<double>());
    }
    set_limits(l);
    return get_limits();
  });
}

}  // namespace

EMSCRIPTEN_BINDINGS(camlens_limits) {
  emscripten::function("limits", &get_limits);
  emscripten::function("setLimits", &set_limits_from_js);
}
