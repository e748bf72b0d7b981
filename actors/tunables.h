// What SIGHUP may change while the daemon runs (the rest of the
// configuration needs a restart). Actors read it through
// Services::tunables(), an atomic snapshot, and never keep it across messages.
#pragma once
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>

#include "actors/segment_cache/eviction.h"

namespace hlsfs {

struct Tunables {
  int prefetch_segments = 2;  // after segment N is read, N+1..N+k are queued
  // A job (or a generate's probe) with no progress this long ends: its
  // readers get EIO (job_deadline.h). 0: by default from the segment's length.
  int64_t job_timeout_ms = 0;
  size_t max_queue = 256;     // segment jobs waiting for a worker, at most (job_queue.h)
  size_t max_waiters = 1024;  // readers waiting for one segment, at most (more get EBUSY)
  GcPolicy gc;
  int64_t gc_interval_ms = 30000;
  // Object stores whose segment copies expire: store name -> age since last
  // use (see actors/gc/remote_expiry.h). Stores not listed keep theirs.
  std::map<std::string, int64_t> remote_max_age_ms;
};

}  // namespace hlsfs
