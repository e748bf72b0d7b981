// The watchdog says "alive" only while its probe actors answer.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "actors/watchdog/watchdog_actor.h"

using namespace hlsfs;
using namespace std::chrono_literals;

TEST(Watchdog, HalfOfSystemdsPeriod) {
  EXPECT_EQ(watchdog_interval(60'000'000).count(), 30'000);
  EXPECT_EQ(watchdog_interval(1'000).count(), 10);  // never a busy loop
}

TEST(Watchdog, AliveOnlyWhileTheProbesAnswer) {
  caf::actor_system_config cfg;
  caf::actor_system sys{cfg};
  std::mutex mu;
  std::condition_variable cv;
  bool stuck = false;
  // Detached: its stuck handler blocks its own thread, not the scheduler's.
  auto probe = sys.spawn<caf::detached>([&](caf::event_based_actor*) -> caf::behavior {
    return {[&](status_atom) {
      std::unique_lock<std::mutex> lock(mu);
      cv.wait(lock, [&] { return !stuck; });
      return std::string("{}");
    }};
  });
  auto answering = sys.spawn([](caf::event_based_actor*) -> caf::behavior {
    return {[](status_atom) { return std::string("{}"); }};
  });
  std::atomic<int> alive{0};
  // Polled with a generous limit: a loaded (or sanitized) run is slow.
  auto reaches = [&](int n) {
    for (int i = 0; i < 200 && alive.load() < n; ++i) std::this_thread::sleep_for(25ms);
    return alive.load() >= n;
  };
  auto dog = spawn_watchdog(sys, 50ms, {probe, answering}, [&] { ++alive; });
  EXPECT_TRUE(reaches(4)) << "about one per 50 ms, got " << alive.load();

  {
    std::lock_guard<std::mutex> lock(mu);
    stuck = true;
  }
  std::this_thread::sleep_for(150ms);  // the round in flight may still count
  const int before = alive.load();
  std::this_thread::sleep_for(400ms);
  EXPECT_EQ(alive.load(), before) << "a probe stuck in a handler: no keep-alive";

  {
    std::lock_guard<std::mutex> lock(mu);
    stuck = false;
  }
  cv.notify_all();
  EXPECT_TRUE(reaches(before + 2)) << "answers again: keep-alives again";
  anon_send_exit(dog, caf::exit_reason::user_shutdown);
  anon_send_exit(probe, caf::exit_reason::user_shutdown);
  anon_send_exit(answering, caf::exit_reason::user_shutdown);
}
