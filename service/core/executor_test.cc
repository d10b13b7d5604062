#include "service/core/executor.h"

#include <atomic>
#include <chrono>
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

}  // namespace
}  // namespace docanalysis
