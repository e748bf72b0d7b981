// The running segment jobs, by job id: their progress (the job's thread
// updates it, the scheduler reads it for `hlsfsctl status`) and whether a
// reader waits for them. Background jobs (prefetch, initial) stop between
// frames while the jobs readers wait for are enough to keep every CPU busy,
// so that readers get every core, not only the larger CPU share that nice 19
// leaves them; on a machine with CPUs to spare they go on beside them.
//
// A job's entry ends with finish(), called by the worker when the job is
// done, whatever became of the scheduler that started it (background jobs
// must never wait for a reader's job that nobody will finish). When hlsfsd
// stops, stop_all() ends every encode at its next frame: nobody will read
// what they make, and systemd should not wait for them.
#pragma once
#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <utility>

#include "actors/transcoder/segment_encoder.h"

namespace hlsfs {

class JobProgressBoard {
 public:
  // `pause_at`: how many readers' jobs fill the CPUs (reader_jobs_filling).
  explicit JobProgressBoard(int pause_at = 1) : pause_at_(pause_at < 1 ? 1 : pause_at) {}
  // A job starts: for a reader (background = false) or in the background.
  std::shared_ptr<EncodeProgress> start(uint32_t job, bool background);
  // The job's progress, or null if it is not running.
  std::shared_ptr<EncodeProgress> find(uint32_t job) const;
  // A reader now waits for a background job: it stops yielding, and others yield to it.
  void raise(uint32_t job);
  // The job ended (once; later calls do nothing).
  void finish(uint32_t job);
  // {frames done, total} of a running job; {0, 0} when unknown.
  std::pair<int64_t, int64_t> get(uint32_t job) const;
  // Running jobs that readers wait for.
  int reader_jobs() const { return reader_jobs_->load(); }
  // Jobs running now.
  int running() const;
  // Every running and future encode ends at its next frame (JobAbandoned).
  void stop_all() { stopping_->store(true); }
  // Jobs started since the board was made.
  uint64_t jobs_started() const { return started_.load(); }

 private:
  const int pause_at_;
  mutable std::mutex mu_;
  std::map<uint32_t, std::shared_ptr<EncodeProgress>> jobs_;
  std::atomic<uint64_t> started_{0};
  // Shared with every EncodeProgress, which may outlive the board.
  std::shared_ptr<std::atomic<int>> reader_jobs_ = std::make_shared<std::atomic<int>>(0);
  std::shared_ptr<std::atomic<bool>> stopping_ = std::make_shared<std::atomic<bool>>(false);
};

// How many readers' jobs keep `cpus` CPUs busy, each job's encoder running
// `encoder_threads` threads (its decoder mostly waits for it): at least 1.
int reader_jobs_filling(int cpus, int encoder_threads);

// The CPUs this process may run on.
int usable_cpus();

}  // namespace hlsfs
