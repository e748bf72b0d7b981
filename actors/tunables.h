// What SIGHUP may change while the daemon runs (the rest of the
// configuration needs a restart). Actors read it through
// Services::tunables(), an atomic snapshot, and never keep it across messages.
#pragma once
#include <cstdint>
#include <map>
#include <string>

#include "actors/gc/gc_policy.h"

namespace hlsfs {

struct Tunables {
  int prefetch_segments = 2;  // after segment N is read, N+1..N+k are queued
  GcPolicy gc;
  int64_t gc_interval_ms = 30000;
  // Object stores whose segment copies expire: store name -> age since last
  // use (see actors/gc/remote_expiry.h). Stores not listed keep theirs.
  std::map<std::string, int64_t> remote_max_age_ms;
};

}  // namespace hlsfs
