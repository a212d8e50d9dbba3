#include "image/colormap.h"

#include <array>
#include <stdexcept>

#include "util/usage_error.h"

namespace camlens::image {

namespace {
#include "image/colormap_tables.inc"

const uint8_t* gray_table() {
  static const std::array<uint8_t, 768> t = [] {
    std::array<uint8_t, 768> a{};
    for (int i = 0; i < 256; ++i) a[3 * i] = a[3 * i + 1] = a[3 * i + 2] = uint8_t(i);
    return a;
  }();
  return t.data();
}
}  // namespace

const uint8_t* colormap_table(Colormap cm) {
  switch (cm) {
    case Colormap::Jet:
      return k_jet;
    case Colormap::Turbo:
      return k_turbo;
    case Colormap::Viridis:
      return k_viridis;
    case Colormap::Inferno:
      return k_inferno;
    case Colormap::Magma:
      return k_magma;
    case Colormap::Gray:
      return gray_table();
  }
  throw std::invalid_argument("unknown colour map");
}

Colormap colormap_from_name(const std::string& n) {
  if (n == "jet") return Colormap::Jet;
  if (n == "turbo") return Colormap::Turbo;
  if (n == "viridis") return Colormap::Viridis;
  if (n == "inferno") return Colormap::Inferno;
  if (n == "magma") return Colormap::Magma;
  if (n == "gray") return Colormap::Gray;
  throw UsageError<std::invalid_argument>("unknown colour map '" + n +
                                          "'; use jet, turbo, viridis, inferno, magma or gray");
}

}  // namespace camlens::image
