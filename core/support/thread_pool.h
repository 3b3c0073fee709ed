// The threads invex computes on: one count for the whole process (`--threads`), and one pool
// type that every parallel loop runs on (the fused CPPN's passes, CPU renders, PNG encoding).
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace invex {

// Sets how many threads a parallel loop may use (n <= 0: every core) and returns the count set.
// LibTorch's own intra-op pool is kept at one thread: the ops left to it are small, and its
// OpenMP threads busy-wait at every op, which on a shared 2-core machine (the GUI thread,
// another process) makes a training step several times slower. OpenBLAS's pool is kept at one
// thread for the same reason.
int set_compute_threads(int n);
int compute_threads();

// Called on the calling thread of a loop with the fraction of tasks done; it may throw to
// abandon the loop.
using LoopProgress = std::function<void(double fraction)>;

// Persistent workers for one parallel loop at a time, woken once per loop. Tasks are handed
// out one at a time as threads come free, so a thread slowed down by another process on its
// core just takes fewer of them. Not re-entrant: a pool has one caller at a time (each owner
// keeps its own pool, or uses parallel_for).
class ThreadPool {
 public:
  ThreadPool() = default;
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  // task(i) for every i in [0, tasks), on the calling thread and up to compute_threads() − 1
  // workers; returns when every task has finished. `progress` is called on the calling thread
  // after each of its tasks and once with 1 at the end. An exception from a task or from
  // `progress` skips the tasks not yet started and is rethrown here once the workers are idle.
  void run(long tasks, const std::function<void(long)>& task, const LoopProgress& progress = {});

 private:
  void work(int index, std::uint64_t seen);
  void drain(bool caller);

  std::mutex mutex_;
  std::condition_variable wake_, done_;
  std::vector<std::thread> threads_;
  // The current loop; written under the mutex before generation_ moves on.
  const std::function<void(long)>* task_ = nullptr;
  const LoopProgress* progress_ = nullptr;
  long tasks_ = 0;
  int helpers_ = 0, pending_ = 0;
  std::atomic<long> next_{0}, finished_{0};
  std::exception_ptr error_;
  std::uint64_t generation_ = 0;
  bool stop_ = false;
};

// ThreadPool::run on a pool shared by the process. When another thread's loop holds it, this
// loop runs on the calling thread alone instead of waiting.
void parallel_for(long tasks, const std::function<void(long)>& task,
                  const LoopProgress& progress = {});

}  // namespace invex
