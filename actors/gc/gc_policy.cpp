#include "actors/gc/gc_policy.h"

#include <algorithm>
#include <climits>

namespace hlsfs {

bool gc_due(const GcPolicy& p, int64_t local_bytes, int64_t oldest_access_ms, int64_t now_ms) {
  if (p.max_bytes > 0 && local_bytes > static_cast<int64_t>(static_cast<double>(p.max_bytes) * p.high_water))
    return true;
  return p.max_idle_ms > 0 && oldest_access_ms > 0 && oldest_access_ms < now_ms - p.max_idle_ms;
}

int64_t free_floor(const GcPolicy& p, int64_t total_bytes) {
  int64_t floor = INT64_MAX;
  if (p.min_free_bytes > 0) floor = p.min_free_bytes;
  if (p.min_free_fraction > 0)
    floor = std::min(floor, static_cast<int64_t>(static_cast<double>(std::max<int64_t>(total_bytes, 0)) * p.min_free_fraction));
  return floor == INT64_MAX ? 0 : floor;
}

int64_t floor_deficit(const GcPolicy& p, const DiskSpace& disk) {
  const int64_t floor = free_floor(p, disk.total);
  if (floor <= 0 || disk.available >= floor) return 0;
  return floor + floor / 10 - disk.available;
}

int64_t room_after_enospc(const GcPolicy& p, const DiskSpace& disk, int64_t cache_bytes, int64_t cache_segments) {
  const int64_t mean = cache_segments > 0 ? cache_bytes / cache_segments : 0;
  return std::max({floor_deficit(p, disk), 4 * mean, int64_t{1}});
}

}  // namespace hlsfs
