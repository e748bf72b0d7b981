// A job's deadline from its progress. A segment job, and the probe of a
// source, end once they have made no progress (no packet read, no frame
// decoded or encoded) for their limit, whatever holds them: a demuxer or a
// decoder looping on a crafted file, a read from a store that stalls.
//
// They end in one of two ways. Cooperatively: the code that reads and
// decodes sources reports progress to the deadline of its thread
// (current_deadline) and checks it at every packet and frame, and libav
// checks it through the input's interrupt callback (arm_interrupt), so that
// libav's own loops end too (AVERROR_EXIT). And when the thread is stuck
// where nothing checks (a read() blocked in the kernel, a decoder looping
// inside one call), whoever waits for it gives up on it: watched_thread.h.
#pragma once
#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>

#include "actors/transcoder/av_util.h"

namespace hlsfs {

// A job ended by its deadline (the reader gets EIO; the message says why).
struct JobTimedOut : MediaError {
  using MediaError::MediaError;
};

// Thread-safe: the job's threads report progress, its waiter checks.
class ProgressDeadline {
 public:
  using Clock = std::chrono::steady_clock;

  // `armed`: whether the clock runs from the start; a disarmed one runs
  // only while its work reads a source (Reading below).
  ProgressDeadline(std::chrono::milliseconds limit, std::string what, bool armed = true,
                   Clock::time_point now = Clock::now());

  // The work got on: a packet read, a frame decoded or encoded.
  void progress(Clock::time_point now = Clock::now());
  // Runs the clock from now for `what` (the work now going on), or stops it.
  void arm(std::string what, Clock::time_point now = Clock::now());
  void disarm();
  bool armed() const { return armed_.load(); }
  // What the work does now, for the reason (the clock goes on).
  void set_what(std::string what);
  std::string what() const;

  // True once it expired: no progress for longer than the limit while
  // armed (it expires then and stays so), or expire() was called.
  bool over(Clock::time_point now = Clock::now());
  // Ends it now (the waiter that gave up; idempotent).
  void expire(Clock::time_point now = Clock::now());
  bool expired() const { return expired_.load(); }
  // Throws JobTimedOut once over.
  void check(Clock::time_point now = Clock::now());

  // "probing file:///m/a.mkv: no progress for 3.0 s (limit 3 s)", or the
  // reason alone when `what` is empty; empty while it has not expired.
  std::string reason() const;
  // Seconds since the last progress.
  double idle_seconds(Clock::time_point now = Clock::now()) const;
  std::chrono::milliseconds limit() const { return limit_; }

 private:
  static int64_t ns(Clock::time_point t) { return t.time_since_epoch().count(); }
  const std::chrono::milliseconds limit_;
  std::atomic<int64_t> last_ns_;
  std::atomic<bool> armed_;
  std::atomic<bool> expired_{false};
  mutable std::mutex mu_;
  std::string what_, reason_;
};

// The deadline of the calling thread's work, or null.
std::shared_ptr<ProgressDeadline> current_deadline();

// Makes `d` the calling thread's deadline for the scope (the previous one
// comes back after). Threads a job starts to help it (its audio encode)
// take the job's deadline this way.
class DeadlineScope {
 public:
  explicit DeadlineScope(std::shared_ptr<ProgressDeadline> d);
  ~DeadlineScope();
  DeadlineScope(const DeadlineScope&) = delete;
  DeadlineScope& operator=(const DeadlineScope&) = delete;

 private:
  std::shared_ptr<ProgressDeadline> previous_;
};

// A read of a source ("probing file:///m/a.mkv"): for the scope, the
// current deadline says so in its reason, and runs if it did not (a deadline
// armed only while its work reads). Nothing when the thread has none.
class Reading {
 public:
  explicit Reading(const std::string& what);
  ~Reading();
  Reading(const Reading&) = delete;
  Reading& operator=(const Reading&) = delete;

 private:
  std::shared_ptr<ProgressDeadline> deadline_;
  bool was_armed_ = false;
  std::string previous_what_;
};

// On the current deadline; nothing when the thread has none.
void note_progress();
void check_deadline();  // throws JobTimedOut

// libav checks the current deadline from now on while it demuxes `fmt`
// (its interrupt callback): its loops and nested reads end with
// AVERROR_EXIT once it is over. Returns that deadline: keep it as long as
// `fmt` (null when the thread has none; fmt is left as it was).
// (A read inside custom I/O is not interrupted by this: a blocked read()
// returns only when the kernel's does.)
std::shared_ptr<ProgressDeadline> arm_interrupt(AVFormatContext* fmt);

// transcoder.job_timeout, in ms; 0 (auto): these defaults.
// A segment job: 10 x the segment's duration + 10 s (at most 10 minutes).
std::chrono::milliseconds segment_job_limit(int64_t configured_ms, double segment_seconds);
// A probe (a generate's read of its source): 60 s.
std::chrono::milliseconds probe_limit(int64_t configured_ms);

}  // namespace hlsfs
