// Eviction of cold segments from the hot tier: under a byte budget (high and
// low water marks) and an idle age. A pass walks the access-time index oldest
// first and stops as soon as the budget and the age are met, so it costs what
// it evicts, not what the cache holds. Playlists are never touched; a segment
// that is open or not yet recorded (being written) is never evicted.
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
};

struct GcReport {
  int64_t evicted = 0, freed_bytes = 0;
  int64_t skipped_open = 0;  // old enough, but a reader has it open
  int64_t visited = 0;
  int64_t bytes_before = 0, bytes_after = 0;
  bool dry_run = false;
};

// True when the cache is over its high water mark or holds segments older
// than max_idle (a pass is worth running).
bool gc_due(const GcPolicy& p, int64_t local_bytes, int64_t oldest_access_ms, int64_t now_ms);

GcReport run_gc(StateStore& state, SegmentStore& segments, const GcPolicy& policy, int64_t now_ms,
                const std::function<bool(const std::string& token, uint32_t n)>& is_open, bool dry_run);

}  // namespace hlsfs
