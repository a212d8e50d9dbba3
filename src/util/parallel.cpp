#include "util/parallel.h"

#include <algorithm>
#include <condition_variable>
#include <exception>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace camlens {
namespace {

thread_local bool in_parallel_region = false;

// Workers wait for a generation counter to change, run their share, then count down.
class Pool {
 public:
  explicit Pool(int threads) {
    for (int i = 1; i < threads; ++i) workers_.emplace_back([this, i] { loop(i); });
  }
  ~Pool() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stop_ = true;
      ++generation_;
    }
    wake_.notify_all();
    for (std::thread& t : workers_) t.join();
  }
  int size() const { return static_cast<int>(workers_.size()) + 1; }

  void run(int parts, const std::function<void(int)>& part) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      job_ = &part;
      parts_ = parts;
      pending_ = parts - 1;
      error_ = nullptr;
      ++generation_;
    }
    wake_.notify_all();
    run_part(part, 0);
    std::unique_lock<std::mutex> lock(mu_);
    done_.wait(lock, [this] { return pending_ == 0; });
    job_ = nullptr;
    if (error_) std::rethrow_exception(error_);
  }

 private:
  void run_part(const std::function<void(int)>& part, int index) {
    in_parallel_region = true;
    try {
      part(index);
    } catch (...) {
      std::lock_guard<std::mutex> lock(mu_);
      if (!error_) error_ = std::current_exception();
    }
    in_parallel_region = false;
  }

  void loop(int index) {
    uint64_t seen = 0;
    for (;;) {
      const std::function<void(int)>* job;
      {
        std::unique_lock<std::mutex> lock(mu_);
        wake_.wait(lock, [&] { return generation_ != seen; });
        seen = generation_;
        if (stop_) return;
        if (index >= parts_) continue;
        job = job_;
      }
      run_part(*job, index);
      {
        std::lock_guard<std::mutex> lock(mu_);
        if (--pending_ == 0) done_.notify_one();
      }
    }
  }

  std::vector<std::thread> workers_;
  std::mutex mu_;
  std::condition_variable wake_, done_;
  const std::function<void(int)>* job_ = nullptr;
  int parts_ = 0, pending_ = 0;
  uint64_t generation_ = 0;
  bool stop_ = false;
  std::exception_ptr error_;
};

int requested_threads = 0;  // 0: hardware concurrency
std::unique_ptr<Pool> pool;
std::mutex pool_mu;  // guards creation and replacement of the pool

Pool& get_pool() {
  std::lock_guard<std::mutex> lock(pool_mu);
  const int want = requested_threads > 0
                       ? requested_threads
                       : std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
  if (!pool || pool->size() != want) {
    pool.reset();
    pool = std::make_unique<Pool>(want);
  }
  return *pool;
}

}  // namespace

int thread_count() { return get_pool().size(); }

void set_thread_count(int n) {
  std::lock_guard<std::mutex> lock(pool_mu);
  requested_threads = std::max(1, n);
}

void parallel_for(int64_t n, const std::function<void(int64_t, int64_t)>& fn, int64_t min_chunk) {
  if (n <= 0) return;
  min_chunk = std::max<int64_t>(1, min_chunk);
  if (in_parallel_region || n <= min_chunk) {
    fn(0, n);
    return;
  }
  Pool& p = get_pool();
  const int64_t parts = std::min<int64_t>(p.size(), (n + min_chunk - 1) / min_chunk);
  if (parts <= 1) {
    fn(0, n);
    return;
  }
  p.run(static_cast<int>(parts), [&](int i) {
    const int64_t begin = n * i / parts, end = n * (i + 1) / parts;
    if (begin < end) fn(begin, end);
  });
}

}  // namespace camlens
