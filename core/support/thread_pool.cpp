#include "core/support/thread_pool.h"

#include <ATen/Parallel.h>
#include <dlfcn.h>

#include <algorithm>

namespace invex {
namespace {
// Every core until set_compute_threads says otherwise.
std::atomic<int> g_compute_threads{
    static_cast<int>(std::max(1u, std::thread::hardware_concurrency()))};

// OpenBLAS, LibTorch's BLAS on Debian, runs its own pool of threads that spin while they wait.
// Its matrix products are small here and our loops already run on every core, so its pool
// would only compete with ours: it is kept at one thread. Looked up at run time, since LibTorch
// may be linked against another BLAS.
void keep_blas_single_threaded() {
  using SetThreads = void (*)(int);
  if (void* f = dlsym(RTLD_DEFAULT, "openblas_set_num_threads")) reinterpret_cast<SetThreads>(f)(1);
}

}  // namespace

int set_compute_threads(int n) {
  if (n <= 0) n = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  g_compute_threads = n;
  at::set_num_threads(1);
  keep_blas_single_threaded();
  return n;
}

int compute_threads() { return g_compute_threads.load(); }

ThreadPool::~ThreadPool() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stop_ = true;
  }
  wake_.notify_all();
  for (auto& t : threads_) t.join();
}

void ThreadPool::run(long tasks, const std::function<void(long)>& task,
                     const LoopProgress& progress) {
  const int helpers = static_cast<int>(std::min<long>(tasks, compute_threads())) - 1;
  if (helpers <= 0) {
    for (long i = 0; i < tasks; ++i) {
      task(i);
      if (progress) progress(static_cast<double>(i + 1) / tasks);
    }
    return;
  }
  std::unique_lock<std::mutex> lock(mutex_);
  while (static_cast<int>(threads_.size()) < helpers) {
    const int index = static_cast<int>(threads_.size()) + 1;
    const std::uint64_t start = generation_;  // the worker's first loop is the one posted below
    threads_.emplace_back([this, index, start] { work(index, start); });
  }
  task_ = &task;
  progress_ = &progress;
  tasks_ = tasks;
  helpers_ = helpers;
  pending_ = helpers;
  error_ = nullptr;
  next_.store(0);
  finished_.store(0);
  ++generation_;
  lock.unlock();
  wake_.notify_all();
  drain(true);
  lock.lock();
  done_.wait(lock, [this] { return pending_ == 0; });
  if (error_) std::rethrow_exception(error_);
  lock.unlock();
  // The last task may have finished on a worker, after the caller's last report.
  if (progress) progress(1.0);
}

void ThreadPool::drain(bool caller) {
  try {
    for (long i = next_.fetch_add(1); i < tasks_; i = next_.fetch_add(1)) {
      (*task_)(i);
      const long done = finished_.fetch_add(1) + 1;
      if (caller && *progress_) (*progress_)(static_cast<double>(done) / tasks_);
    }
  } catch (...) {
    next_.store(tasks_);  // the others finish their current task and stop
    std::lock_guard<std::mutex> lock(mutex_);
    if (!error_) error_ = std::current_exception();
  }
}

void ThreadPool::work(int index, std::uint64_t seen) {
  std::unique_lock<std::mutex> lock(mutex_);
  for (;;) {
    wake_.wait(lock, [&] { return stop_ || generation_ != seen; });
    if (stop_) return;
    seen = generation_;
    if (index > helpers_) continue;  // this loop needs fewer workers
    lock.unlock();
    drain(false);
    lock.lock();
    if (--pending_ == 0) done_.notify_one();
  }
}

void parallel_for(long tasks, const std::function<void(long)>& task, const LoopProgress& progress) {
  static ThreadPool shared;
  static std::mutex in_use;
  std::unique_lock<std::mutex> lock(in_use, std::try_to_lock);
  if (lock.owns_lock()) return shared.run(tasks, task, progress);
  for (long i = 0; i < tasks; ++i) {
    task(i);
    if (progress) progress(static_cast<double>(i + 1) / tasks);
  }
}

}  // namespace invex
