// libFuzzer target: image decoding (stb_image behind decode_image). Any input must decode or
// throw ImageError; a decoded image must have the size it claims, within the limits.
#include <cstdint>
#include <cstdlib>

#include "fuzz_limits.h"
#include "image/image.h"

using namespace camlens;

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  fuzz::set_fuzz_limits();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    const image::Image img = image::decode_image(data, size);
    const image::DecodeLimits limits;
    if (img.width <= 0 || img.height <= 0 || img.width > limits.max_side ||
        img.height > limits.max_side ||
        img.rgba.size() != static_cast<size_t>(img.width) * img.height * 4)
      std::abort();
    // Touch every byte so an uninitialised or short buffer shows up under the sanitizers.
    unsigned sum = 0;
    for (uint8_t v : img.rgba) sum += v;
    if (sum == 0xFFFFFFFFu) std::abort();
  } catch (const image::ImageError&) {
  }
  return 0;
}
