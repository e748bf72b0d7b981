// The running segment jobs, by job id: their progress (the job's thread
// updates it, the scheduler reads it for `hlsfsctl status`) and whether a
// reader waits for them. Background jobs (prefetch, initial) stop between
// frames while any job a reader waits for runs, so that a reader gets every
// core, not only the larger CPU share that nice 19 leaves it.
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
  // A job starts: for a reader (background = false) or in the background.
  std::shared_ptr<EncodeProgress> start(uint32_t job, bool background);
  // The job's progress, or null if it is not running.
  std::shared_ptr<EncodeProgress> find(uint32_t job) const;
  // A reader now waits for a background job: it stops yielding, and others yield to it.
  void raise(uint32_t job);
  void finish(uint32_t job);
  // {frames done, total} of a running job; {0, 0} when unknown.
  std::pair<int64_t, int64_t> get(uint32_t job) const;
  // Running jobs that readers wait for.
  int reader_jobs() const { return reader_jobs_->load(); }
  // Jobs started since the board was made.
  uint64_t jobs_started() const { return started_.load(); }

 private:
  mutable std::mutex mu_;
  std::map<uint32_t, std::shared_ptr<EncodeProgress>> jobs_;
  std::atomic<uint64_t> started_{0};
  // Shared with every EncodeProgress, which may outlive the board.
  std::shared_ptr<std::atomic<int>> reader_jobs_ = std::make_shared<std::atomic<int>>(0);
};

}  // namespace hlsfs
