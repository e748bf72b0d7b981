// Work on a thread of its own that its waiter gives up on when its deadline
// passes (job_deadline.h): how a segment job or a generate's probe stuck
// where nothing checks its deadline (a read() blocked in the kernel on a
// stalled NFS or FUSE store, a decoder looping inside one libav call) still
// ends for whoever waits for it, and why a stuck job never blocks a worker
// or the daemon: the waiter returns, the stuck thread is left behind.
//
// What becomes of a thread left behind: it is detached and runs on. If its
// call ever returns (the store answers again), the next check of its
// deadline throws (the deadline expired for good) and the thread ends,
// its result discarded. If it never returns, it stays blocked (or keeps
// its CPU busy, for a decoder that loops) until hlsfsd exits: nothing can
// safely stop a thread inside libav or the kernel. So that such threads
// cannot pile up, no new work starts while `max_abandoned` of them remain.
#pragma once
#include <chrono>
#include <functional>
#include <memory>

#include "actors/transcoder/job_deadline.h"

namespace hlsfs {

enum class Watched {
  done,     // the work returned (what it threw is rethrown to the waiter)
  stalled,  // its deadline passed first: it was left behind
  refused,  // `max_abandoned` threads were left behind already: it never ran
};

// Runs `work` on a new thread whose deadline is `deadline`, and waits until
// it returns or the deadline is over (checked every `poll`). `work` must own
// everything it touches (capture by value, shared pointers): once left
// behind, it outlives its caller's stack.
Watched run_watched(std::shared_ptr<ProgressDeadline> deadline, std::function<void()> work, int max_abandoned,
                    std::chrono::milliseconds poll = std::chrono::milliseconds(100));

// Threads left behind that have not ended yet (this process).
int abandoned_threads();

// How many may be left behind before no new job starts: 4 per worker (each
// may hold a decoder's memory), at least 4.
inline int abandoned_thread_limit(int workers) { return workers < 1 ? 4 : 4 * workers; }

}  // namespace hlsfs
