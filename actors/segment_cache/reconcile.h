// Startup reconciliation: the index and cache_dir are made to agree before
// anything is served. Files without a record (a crash between write and
// record, temp files of interrupted writes, files added by hand) are removed;
// records whose file is gone or has another size are dropped (the segment is
// simply made again when read).
#pragma once
#include <cstdint>

namespace hlsfs {

class StateStore;
class SegmentStore;

struct ReconcileReport {
  int64_t files_removed = 0, bytes_removed = 0;
  int64_t records_dropped = 0;
  int64_t segments_kept = 0;
};

ReconcileReport reconcile_cache(StateStore& state, SegmentStore& segments);

}  // namespace hlsfs
