// When the GC asks the segment cache to evict (the pass itself is the
// owner's: actors/segment_cache/eviction.h, which also holds GcPolicy).
// Besides the budget, a free-space floor: cache_dir's filesystem keeps
// min_free free (by default 1 GiB or 5 % of it, whichever is smaller, so that
// the cache never fills a disk others use, and a small disk is not half
// reserved); below it, and when a segment could not be written (ENOSPC), a
// pass evicts the least recently read segments until there is room.
#pragma once
#include <cstdint>

#include "actors/segment_cache/eviction.h"

namespace hlsfs {

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

// True when the cache is over its high water mark or holds segments older
// than max_idle (a pass is worth running).
bool gc_due(const GcPolicy& p, int64_t local_bytes, int64_t oldest_access_ms, int64_t now_ms);

}  // namespace hlsfs
