#include "actors/transcoder/watched_thread.h"

#include <atomic>
#include <condition_variable>
#include <exception>
#include <mutex>
#include <thread>

namespace hlsfs {

namespace {

std::atomic<int> g_abandoned{0};

// Shared by the waiter and the thread, which may outlive it.
struct Run {
  std::mutex mu;
  std::condition_variable cv;
  bool done = false;
  bool abandoned = false;
  std::exception_ptr error;
};

}  // namespace

int abandoned_threads() { return g_abandoned.load(); }

Watched run_watched(std::shared_ptr<ProgressDeadline> deadline, std::function<void()> work, int max_abandoned,
                    std::chrono::milliseconds poll) {
  if (g_abandoned.load() >= max_abandoned) return Watched::refused;
  auto run = std::make_shared<Run>();
  std::thread thread([run, deadline, work = std::move(work)] {
    std::exception_ptr error;
    {
      DeadlineScope scope(deadline);
      try {
        work();
      } catch (...) {
        error = std::current_exception();
      }
    }
    std::lock_guard<std::mutex> lock(run->mu);
    run->done = true;
    run->error = error;
    if (run->abandoned) --g_abandoned;  // its waiter is gone; so is its result
    run->cv.notify_all();
  });
  std::unique_lock<std::mutex> lock(run->mu);
  while (!run->done) {
    run->cv.wait_for(lock, poll);
    if (!run->done && deadline->over()) {
      run->abandoned = true;
      ++g_abandoned;
      lock.unlock();
      thread.detach();
      return Watched::stalled;
    }
  }
  lock.unlock();
  thread.join();
  if (run->error) std::rethrow_exception(run->error);
  return Watched::done;
}

}  // namespace hlsfs
