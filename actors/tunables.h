// What SIGHUP may change while the daemon runs (the rest of the
// configuration needs a restart). Actors read it through
// Services::tunables(), an atomic snapshot, and never keep it across messages.
#pragma once
#include <cstdint>

#include "actors/gc/gc_policy.h"

namespace hlsfs {

struct Tunables {
  int prefetch_segments = 2;  // after segment N is read, N+1..N+k are queued
  GcPolicy gc;
  int64_t gc_interval_ms = 30000;
};

}  // namespace hlsfs
