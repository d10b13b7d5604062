#include "service/core/executor.h"

#include <algorithm>

namespace docanalysis {

Executor::Executor(size_t threads, size_t max_queued, size_t max_inflight_bytes)
    : max_queued_(max_queued), max_inflight_bytes_(max_inflight_bytes) {
  if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency());
  workers_.reserve(threads);
  for (size_t i = 0; i < threads; ++i) workers_.emplace_back([this] { Run(); });
}

Executor::~Executor() { Shutdown(); }

bool Executor::TrySubmit(std::function<void()> task, size_t bytes) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (shutdown_) return false;
    // Idle workers take work at once; beyond them, at most max_queued_ wait.
    size_t idle = workers_.size() > running_ ? workers_.size() - running_ : 0;
    if (queue_.size() >= idle + max_queued_) return false;
    if (inflight_bytes_ > 0 && bytes > max_inflight_bytes_ - std::min(inflight_bytes_, max_inflight_bytes_)) return false;
    inflight_bytes_ += bytes;
    queue_.push_back({std::move(task), bytes});
  }
  cv_.notify_one();
  return true;
}

bool Executor::TryRunHere(std::function<void()>& task, size_t bytes) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (shutdown_ || !queue_.empty() || running_ >= workers_.size()) return false;
    if (inflight_bytes_ > 0 && bytes > max_inflight_bytes_ - std::min(inflight_bytes_, max_inflight_bytes_)) return false;
    ++running_;
    inflight_bytes_ += bytes;
  }
  task();
  bool waiting;
  {
    std::lock_guard<std::mutex> lock(mu_);
    --running_;
    inflight_bytes_ -= bytes;
    waiting = !queue_.empty();
  }
  if (waiting) cv_.notify_one();  // a task queued meanwhile may now have its worker
  return true;
}

void Executor::Run() {
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    // A worker takes a task only while fewer than threads() run (tasks run by TryRunHere count).
    cv_.wait(lock, [this] { return shutdown_ || (!queue_.empty() && running_ < workers_.size()); });
    if (queue_.empty()) return;  // shutting down and drained
    Task task = std::move(queue_.front());
    queue_.pop_front();
    ++running_;
    lock.unlock();
    task.fn();
    task.fn = nullptr;
    lock.lock();
    --running_;
    inflight_bytes_ -= task.bytes;
  }
}

void Executor::Shutdown() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (shutdown_ && workers_.empty()) return;
    shutdown_ = true;
  }
  cv_.notify_all();
  for (auto& t : workers_)
    if (t.joinable()) t.join();
  workers_.clear();
}

size_t Executor::InFlightBytes() const {
  std::lock_guard<std::mutex> lock(mu_);
  return inflight_bytes_;
}

size_t Executor::InFlight() const {
  std::lock_guard<std::mutex> lock(mu_);
  return queue_.size() + running_;
}

}  // namespace docanalysis
