// Eviction of cold segments from the hot tier, run by the segment cache
// (the owner of the files and of which are open) when the GC orders it
// (EvictOrder): under a byte budget (high and low water marks) and an idle
// age. A pass walks the access-time index oldest first and stops as soon as
// the budget and the age are met, so it costs what it evicts, not what the
// cache holds. Playlists are never touched; a segment that is open or not
// yet recorded (being written) is never evicted. When to ask for a pass, and
// how much a full disk needs, is the GC's (actors/gc/gc_policy.h).
#pragma once
#include <cstdint>
#include <functional>
#include <string>

namespace hlsfs {

class StateStore;
class SegmentStore;

struct GcPolicy {
  int64_t max_bytes = 0;     // 0: no budget
  double high_water = 0.95;  // a pass starts above max_bytes * high_water
  double low_water = 0.85;   // and evicts down to max_bytes * low_water
  int64_t max_idle_ms = 0;   // 0: age alone never evicts
  // The free-space floor: the smaller of the two that are set (0: not set);
  // neither set: no floor.
  int64_t min_free_bytes = int64_t{1} << 30;
  double min_free_fraction = 0.05;  // of the filesystem's size
};

struct GcReport {
  int64_t evicted = 0, freed_bytes = 0;
  int64_t skipped_open = 0;  // old enough, but a reader has it open
  int64_t visited = 0;
  int64_t bytes_before = 0, bytes_after = 0;
  int64_t must_free = 0;  // asked for by the floor or an ENOSPC
  bool dry_run = false;
};

// must_free: bytes to evict whatever the budget and the age say (the
// floor's deficit, or room after an ENOSPC), least recently read first.
GcReport run_gc(StateStore& state, SegmentStore& segments, const GcPolicy& policy, int64_t now_ms,
                const std::function<bool(const std::string& token, uint32_t n)>& is_open, bool dry_run,
                int64_t must_free = 0);

}  // namespace hlsfs
