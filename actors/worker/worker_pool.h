// The daemon's side of the worker processes (hlsfs-worker): a pool of them
// started ahead, one job at a time each, each job driven from the thread
// that waits for it. The worker holds nothing (no configuration, credentials
// or secret); the job brings its sources as descriptors the store opened, or
// as ranges this side reads for it, and takes its segments back in memory
// files. Whatever happens in the worker, this side answers: a crash, a limit
// or a hang becomes a WorkerFault for that job, the worker is replaced, and
// nothing else stops.
#pragma once
#include <sys/types.h>

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "actors/transcoder/segment_encoder.h"
#include "actors/worker/worker_job.h"
#include "hlsfs/media_info.h"

namespace hlsfs {

class Channel;

struct WorkerPoolOptions {
  std::string binary;          // the hlsfs-worker executable
  int workers = 2;             // started ahead and kept
  int64_t job_memory = 0;      // address space of a worker, bytes (0: none)
  std::string scratch_parent;  // each worker's private directory is made here
  bool drop_user = false;      // run workers as uid/gid (hlsfsd is root)
  uid_t uid = 0;
  gid_t gid = 0;
  std::string failpoint;       // HLSFS_WORKER_FAILPOINT (tests only)
};

// A job ended by the worker's death or a limit, not by its source's content
// as a decoder reports it. kind: crash, memory, timeout, sandbox, protocol.
struct WorkerFault : MediaError {
  std::string kind;
  WorkerFault(std::string k, const std::string& what) : MediaError(what), kind(std::move(k)) {}
};

// How this side gives a job its sources: descriptors for local ones (in the
// order of job.sources; this side closes them after handing them over), and
// a reader of ranges for the others.
struct WorkerSources {
  std::vector<int> fds;
  // Up to `length` bytes of source `index` from `offset` ("" at its end);
  // throws with a message for the worker.
  std::function<std::string(size_t index, int64_t offset, int64_t length)> read_range;
  ~WorkerSources();
};

class WorkerPool {
 public:
  explicit WorkerPool(WorkerPoolOptions opt);
  ~WorkerPool();  // ends every worker
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  // Runs on the calling thread until the job ends. progress (may be null)
  // gets the frames, and through it the job yields to readers and ends at
  // hlsfsd's stop (JobAbandoned); the thread's deadline (job_deadline.h)
  // ends a job that makes no progress (WorkerFault "timeout", worker killed).
  std::vector<SegmentResult> run_segment(const WorkerJob& job, WorkerSources& sources, EncodeProgress* progress);
  MediaInfo run_probe(const WorkerJob& job, WorkerSources& sources);

  // Called for every fault (kind, message), e.g. to count it.
  void on_fault(std::function<void(const std::string&, const std::string&)> f) { on_fault_ = std::move(f); }
  // Whether the kernel enforces the workers' file rule (Landlock).
  bool landlock() const { return landlock_; }
  int started() const { return started_; }

  struct Worker;

 private:
  std::unique_ptr<Worker> spawn();
  std::unique_ptr<Worker> acquire();
  void release(std::unique_ptr<Worker> w);
  void end(std::unique_ptr<Worker> w);
  // Drives one job; returns the answer of `done`.
  std::string drive(Worker& w, const WorkerJob& job, WorkerSources& sources, const std::vector<int>& outputs,
                    EncodeProgress* progress, std::unique_ptr<Worker>& keep);
  [[noreturn]] void fault(std::unique_ptr<Worker> w, const std::string& kind, const std::string& what);

  WorkerPoolOptions opt_;
  std::mutex mu_;
  std::deque<std::unique_ptr<Worker>> idle_;
  bool landlock_ = false;
  int started_ = 0;
  std::function<void(const std::string&, const std::string&)> on_fault_;
};

// The worker executable next to `self_exe` (the build tree), or in
// ../lib/hlsfs/ beside it (an install); "" when neither exists.
std::string find_worker_binary(const std::string& self_exe);

}  // namespace hlsfs
