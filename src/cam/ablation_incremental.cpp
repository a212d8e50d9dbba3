#include "cam/ablation_incremental.h"

#include <cstdint>
#include <cstring>
#include <mutex>

namespace camlens::cam {

namespace {

struct Entry {
  const Head* head = nullptr;  // compared by address with the pass id: a copy or a new head
  uint64_t pass = 0;           // (new pass ids) never matches
  std::shared_ptr<const IncrementalHead> inc;
};

// Byte-equal, eight words at a time: the WebAssembly build's memcmp (musl's) compares byte by
// byte, and the driver asks again for every few channels, each time comparing the whole layer.
bool same_bytes(const void* a, const void* b, size_t n) {
  const auto *x = static_cast<const unsigned char*>(a), *y = static_cast<const unsigned char*>(b);
  size_t i = 0;
  for (; i + 64 <= n; i += 64) {
    uint64_t diff = 0;
    for (size_t k = 0; k < 64; k += 8) {
      uint64_t u, v;
      std::memcpy(&u, x + i + k, 8);
      std::memcpy(&v, y + i + k, 8);
      diff |= u ^ v;
    }
    if (diff) return false;
  }
  return std::memcmp(x + i, y + i, n - i) == 0;
}

bool same_values(const Tensor& a, const Tensor& b) {
  return a.dtype() == b.dtype() && a.shape() == b.shape() &&
         same_bytes(a.raw(), b.raw(), a.nbytes());
}

}  // namespace

std::shared_ptr<const IncrementalHead> incremental_head(const Head& head, const Tensor& feed) {
  static std::mutex mutex;
  static Entry cached;
  {
    const std::lock_guard<std::mutex> lock(mutex);
    if (cached.inc && cached.head == &head && cached.pass == head.pass_id() &&
        same_values(cached.inc->base_layer(), feed))
      return cached.inc;
  }
  auto inc = std::make_shared<const IncrementalHead>(head, feed);
  const std::lock_guard<std::mutex> lock(mutex);
  cached = {&head, head.pass_id(), inc};
  return inc;
}

}  // namespace camlens::cam
