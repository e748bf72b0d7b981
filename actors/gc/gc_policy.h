// Eviction of cold segments from the hot tier: under a byte budget (high and
// low water marks) and an idle age. A pass walks the access-time index oldest
// first and stops as soon as the budget and the age are met, so it costs what
// it evicts, not what the cache holds. Playlists are never touched; a segment
// that is open or not yet recorded (being written) is never evicted.
// Besides the budget, a free-space floor: cache_dir's filesystem keeps
// min_free free (by default 1 GiB or 5 % of it, whichever is smaller, so that
// the cache never fills a disk others use, and a small disk is not half
// reserved); below it, and when a segment could not be written (ENOSPC), a
// pass evicts the least recently read segments until there is room.
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

// cache_dir's filesystem, in bytes (statvfs: f_blocks and f_bavail).
struct DiskSpace {
  int64_t total = 0, available = 0;
};

// The floor on a filesystem of total_bytes.
int64_t free_floor(const GcPolicy& p, int64_t total_bytes);
// Bytes a pass must evict to lift `disk` back above the floor, with a margin
// (a tenth of the floor) so that the next segments do not start another pass
// at once; 0 while it is above.
int64_t floor_deficit(const GcPolicy& p, const DiskSpace& disk);
// Bytes to evict after a segment could not be written for want of space:
// the floor's deficit, and at least four segments of the cache's mean size
// (the one that failed, whose size is not known, and room for the next).
int64_t room_after_enospc(const GcPolicy& p, const DiskSpace& disk, int64_t cache_bytes, int64_t cache_segments);

struct GcReport {
  int64_t evicted = 0, freed_bytes = 0;
  int64_t skipped_open = 0;  // old enough, but a reader has it open
  int64_t visited = 0;
  int64_t bytes_before = 0, bytes_after = 0;
  int64_t must_free = 0;  // asked for by the floor or an ENOSPC
  bool dry_run = false;
};

// True when the cache is over its high water mark or holds segments older
// than max_idle (a pass is worth running).
bool gc_due(const GcPolicy& p, int64_t local_bytes, int64_t oldest_access_ms, int64_t now_ms);

// must_free: bytes to evict whatever the budget and the age say (the
// floor's deficit, or room after an ENOSPC), least recently read first.
GcReport run_gc(StateStore& state, SegmentStore& segments, const GcPolicy& policy, int64_t now_ms,
                const std::function<bool(const std::string& token, uint32_t n)>& is_open, bool dry_run,
                int64_t must_free = 0);

}  // namespace hlsfs
