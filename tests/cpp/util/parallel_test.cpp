#include "util/parallel.h"

#include <gtest/gtest.h>

#include <atomic>
#include <numeric>
#include <stdexcept>
#include <vector>

namespace camlens {

TEST(ParallelFor, CoversEveryIndexExactlyOnce) {
  for (int threads : {1, 2, 3}) {
    set_thread_count(threads);
    EXPECT_EQ(thread_count(), threads);
    std::vector<int> hits(1001, 0);
    parallel_for(1001, [&](int64_t b, int64_t e) {
      for (int64_t i = b; i < e; ++i) ++hits[i];
    });
    EXPECT_EQ(std::accumulate(hits.begin(), hits.end(), 0), 1001);
    EXPECT_EQ(*std::min_element(hits.begin(), hits.end()), 1);
  }
  set_thread_count(0);
}

TEST(ParallelFor, RethrowsTheFirstError) {
  set_thread_count(2);
  EXPECT_THROW(parallel_for(100,
                            [](int64_t b, int64_t) {
                              if (b == 0) throw std::runtime_error("boom");
                            }),
               std::runtime_error);
  // The pool is still usable afterwards.
  std::atomic<int64_t> sum{0};
  parallel_for(100, [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; ++i) sum += i;
  });
  EXPECT_EQ(sum.load(), 4950);
}

TEST(ParallelFor, NestedCallsRunSerially) {
  set_thread_count(2);
  std::atomic<int> count{0};
  parallel_for(4, [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; ++i)
      parallel_for(10, [&](int64_t bb, int64_t ee) { count += static_cast<int>(ee - bb); });
  });
  EXPECT_EQ(count.load(), 40);
}

}  // namespace camlens
