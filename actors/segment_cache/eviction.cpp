#include "actors/segment_cache/eviction.h"

#include <unistd.h>

#include <climits>

#include "actors/segment_cache/segment_store.h"
#include "actors/segment_cache/state_store.h"

namespace hlsfs {

GcReport run_gc(StateStore& state, SegmentStore& segments, const GcPolicy& p, int64_t now_ms,
                const std::function<bool(const std::string&, uint32_t)>& is_open, bool dry_run, int64_t must_free) {
  GcReport r;
  r.dry_run = dry_run;
  r.must_free = must_free;
  r.bytes_before = state.local_bytes();
  const int64_t target =
      p.max_bytes > 0 ? static_cast<int64_t>(static_cast<double>(p.max_bytes) * p.low_water) : INT64_MAX;
  const int64_t idle_before = p.max_idle_ms > 0 ? now_ms - p.max_idle_ms : INT64_MIN;
  int64_t bytes = r.bytes_before;
  state.for_each_by_age([&](int64_t atime, const std::string& token, uint32_t n) {
    ++r.visited;
    bool over_budget = bytes > target;
    bool too_old = atime < idle_before;
    bool short_of_room = r.freed_bytes < must_free;
    if (!over_budget && !too_old && !short_of_room) return false;  // everything after this is newer
    if (is_open && is_open(token, n)) {
      ++r.skipped_open;
      return true;
    }
    auto rec = state.get_segment(token, n);
    if (!rec || !(rec->where & SegmentRecord::kLocal)) return true;
    if (!dry_run) {
      // Record first, then the file: a crash in between leaves an orphan
      // file (reconciliation removes it), never a record without its file.
      auto removed = state.delete_segment(token, n, atime);
      if (!removed) return true;  // read since the walk began: keep it
      unlink(segments.path_of(token, n).c_str());
    }
    ++r.evicted;
    r.freed_bytes += rec->size;
    bytes -= rec->size;
    return true;
  });
  r.bytes_after = dry_run ? r.bytes_before : state.local_bytes();
  return r;
}

}  // namespace hlsfs
