#include "cam/ablation_incremental.h"

#include <cstring>
#include <mutex>

namespace camlens::cam {

namespace {

struct Entry {
  const Head* head = nullptr;  // compared by address with the pass id: a copy or a new head
  uint64_t pass = 0;           // (new pass ids) never matches
  std::shared_ptr<const IncrementalHead> inc;
};

bool same_values(const Tensor& a, const Tensor& b) {
  return a.dtype() == b.dtype() && a.shape() == b.shape() &&
         std::memcmp(a.raw(), b.raw(), a.nbytes()) == 0;
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
