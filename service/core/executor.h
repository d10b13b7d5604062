// A fixed pool of worker threads with a bounded queue. Work that does not fit is refused at once
// (TrySubmit returns false) so the edge can answer RESOURCE_EXHAUSTED instead of queueing without
// bound. Admission counts both tasks and bytes: each task declares the bytes of caller data it
// holds (a batch the sum of its documents), and the bytes queued or running stay under
// `max_inflight_bytes` (one task is always admitted when nothing else is in flight, so a single
// document under the size limit is never refused for its size).
//
// THREADING: all methods are thread-safe. Shutdown() runs every queued task, then joins.
#ifndef DOCANALYSIS_SERVICE_CORE_EXECUTOR_H_
#define DOCANALYSIS_SERVICE_CORE_EXECUTOR_H_

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace docanalysis {

class Executor {
 public:
  // `threads` workers (0 means one per core); at most `max_queued` tasks wait beyond the running
  // ones, and at most `max_inflight_bytes` of declared task bytes are queued or running.
  Executor(size_t threads, size_t max_queued, size_t max_inflight_bytes = SIZE_MAX);
  ~Executor();
  Executor(const Executor&) = delete;
  Executor& operator=(const Executor&) = delete;

  // Queues `task`, which holds `bytes` of caller data; false when the queue or the byte budget is
  // full, or the executor is shutting down.
  bool TrySubmit(std::function<void()> task, size_t bytes = 0);
  // Runs `task` on the calling thread, as one of the workers would, when a worker is idle and
  // nothing waits (so admission and the bound on concurrent tasks are the same as TrySubmit's);
  // false, with `task` untouched, otherwise. For small tasks whose hand-off to a worker (a wake-up
  // and two context switches) would cost more than the task.
  bool TryRunHere(std::function<void()>& task, size_t bytes = 0);
  void Shutdown();

  size_t threads() const { return workers_.size(); }
  // Tasks queued or running now.
  size_t InFlight() const;
  // Declared bytes of the tasks queued or running now.
  size_t InFlightBytes() const;

 private:
  void Run();

  struct Task {
    std::function<void()> fn;
    size_t bytes;
  };
  const size_t max_queued_;
  const size_t max_inflight_bytes_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Task> queue_;
  size_t running_ = 0;  // tasks running, on workers or on the threads of TryRunHere
  size_t inflight_bytes_ = 0;
  bool shutdown_ = false;
  std::vector<std::thread> workers_;
};

}  // namespace docanalysis

#endif  // DOCANALYSIS_SERVICE_CORE_EXECUTOR_H_
