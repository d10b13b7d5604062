// A fixed pool of worker threads with a bounded queue. Work that does not fit is refused at once
// (TrySubmit returns false) so the edge can answer RESOURCE_EXHAUSTED instead of queueing without
// bound.
//
// THREADING: all methods are thread-safe. Shutdown() runs every queued task, then joins.
#ifndef DOCANALYSIS_SERVICE_CORE_EXECUTOR_H_
#define DOCANALYSIS_SERVICE_CORE_EXECUTOR_H_

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace docanalysis {

class Executor {
 public:
  // `threads` workers (0 means one per core); at most `max_queued` tasks wait beyond the running ones.
  Executor(size_t threads, size_t max_queued);
  ~Executor();
  Executor(const Executor&) = delete;
  Executor& operator=(const Executor&) = delete;

  // Queues `task`; false when the queue is full or the executor is shutting down.
  bool TrySubmit(std::function<void()> task);
  void Shutdown();

  size_t threads() const { return workers_.size(); }
  // Tasks queued or running now.
  size_t InFlight() const;

 private:
  void Run();

  const size_t max_queued_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> queue_;
  size_t running_ = 0;
  bool shutdown_ = false;
  std::vector<std::thread> workers_;
};

}  // namespace docanalysis

#endif  // DOCANALYSIS_SERVICE_CORE_EXECUTOR_H_
