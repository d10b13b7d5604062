#include "service/core/executor.h"

#include <atomic>
#include <chrono>
#include <functional>
#include <future>
#include <thread>

#include "gtest/gtest.h"

namespace docanalysis {
namespace {

TEST(Executor, RunsEveryTask) {
  std::atomic<int> done{0};
  {
    Executor ex(2, 100);
    for (int i = 0; i < 50; ++i) ASSERT_TRUE(ex.TrySubmit([&] { ++done; }));
  }  // destruction drains the queue
  EXPECT_EQ(done.load(), 50);
}

TEST(Executor, RefusesWorkBeyondTheQueue) {
  Executor ex(1, 1);
  std::promise<void> release;
  std::shared_future<void> gate = release.get_future().share();
  std::promise<void> started;
  ASSERT_TRUE(ex.TrySubmit([&, gate] { started.set_value(); gate.wait(); }));
  started.get_future().wait();                   // the worker is busy
  EXPECT_TRUE(ex.TrySubmit([gate] { gate.wait(); }));  // one may wait
  EXPECT_FALSE(ex.TrySubmit([] {}));             // the next is refused at once
  EXPECT_EQ(ex.InFlight(), 2u);
  release.set_value();
  ex.Shutdown();
  EXPECT_EQ(ex.InFlight(), 0u);
  EXPECT_FALSE(ex.TrySubmit([] {}));  // refused after shutdown
}

TEST(Executor, AdmissionCountsBytes) {
  Executor ex(1, 100, /*max_inflight_bytes=*/1000);
  std::promise<void> release;
  std::shared_future<void> gate = release.get_future().share();
  std::promise<void> started;
  // One task is admitted whatever its size when nothing else is in flight.
  ASSERT_TRUE(ex.TrySubmit([&, gate] { started.set_value(); gate.wait(); }, 5000));
  started.get_future().wait();
  EXPECT_FALSE(ex.TrySubmit([] {}, 1));  // over the byte budget although the queue has room
  EXPECT_EQ(ex.InFlightBytes(), 5000u);
  release.set_value();
  ex.Shutdown();
  EXPECT_EQ(ex.InFlightBytes(), 0u);
}

TEST(Executor, ManySmallTasksShareTheByteBudget) {
  Executor ex(1, 100, /*max_inflight_bytes=*/1000);
  std::promise<void> release;
  std::shared_future<void> gate = release.get_future().share();
  std::promise<void> started;
  ASSERT_TRUE(ex.TrySubmit([&, gate] { started.set_value(); gate.wait(); }, 400));
  started.get_future().wait();
  EXPECT_TRUE(ex.TrySubmit([gate] { gate.wait(); }, 400));
  EXPECT_FALSE(ex.TrySubmit([] {}, 400));  // 1200 > 1000
  EXPECT_TRUE(ex.TrySubmit([] {}, 200));   // exactly 1000
  release.set_value();
  ex.Shutdown();
}

TEST(Executor, RunsASmallTaskOnTheCallerWhenAWorkerIsIdle) {
  Executor ex(1, 4);
  std::function<void()> task = [caller = std::this_thread::get_id()] {
    EXPECT_EQ(std::this_thread::get_id(), caller);
  };
  EXPECT_TRUE(ex.TryRunHere(task));
  EXPECT_EQ(ex.InFlight(), 0u);
}

TEST(Executor, RunHereTakesAWorkersPlace) {
  Executor ex(1, 4);
  // The only worker busy: nothing runs on the caller, and the task is left for TrySubmit.
  std::promise<void> release;
  std::shared_future<void> gate = release.get_future().share();
  std::promise<void> started;
  ASSERT_TRUE(ex.TrySubmit([&, gate] { started.set_value(); gate.wait(); }));
  started.get_future().wait();
  bool ran = false;
  std::function<void()> task = [&] { ran = true; };
  EXPECT_FALSE(ex.TryRunHere(task));
  EXPECT_FALSE(ran);
  EXPECT_TRUE(static_cast<bool>(task));  // untouched
  release.set_value();
  while (ex.InFlight() > 0) std::this_thread::sleep_for(std::chrono::milliseconds(1));

  // A task running on a caller holds the worker's place: a task submitted meanwhile waits for it
  // (at most threads() tasks run at once), then runs on the worker.
  std::atomic<bool> inline_running{false}, overlapped{false};
  std::promise<void> submitted;
  std::function<void()> slow = [&] {
    inline_running = true;
    submitted.get_future().wait();
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    inline_running = false;
  };
  std::promise<void> queued_done;
  std::thread caller([&] { EXPECT_TRUE(ex.TryRunHere(slow)); });
  while (!inline_running) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  EXPECT_EQ(ex.InFlight(), 1u);
  ASSERT_TRUE(ex.TrySubmit([&] {
    if (inline_running) overlapped = true;
    queued_done.set_value();
  }));
  submitted.set_value();
  queued_done.get_future().wait();
  caller.join();
  EXPECT_FALSE(overlapped);
}

TEST(Executor, RunHereRespectsTheByteBudgetAndShutdown) {
  Executor ex(2, 4, /*max_inflight_bytes=*/1000);
  std::promise<void> release;
  std::shared_future<void> gate = release.get_future().share();
  std::promise<void> started;
  ASSERT_TRUE(ex.TrySubmit([&, gate] { started.set_value(); gate.wait(); }, 900));
  started.get_future().wait();
  std::function<void()> task = [] {};
  EXPECT_FALSE(ex.TryRunHere(task, 200));  // over the byte budget with the running task
  EXPECT_TRUE(ex.TryRunHere(task, 100));
  release.set_value();
  ex.Shutdown();
  EXPECT_FALSE(ex.TryRunHere(task));
}

}  // namespace
}  // namespace docanalysis
