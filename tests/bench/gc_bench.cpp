// GC benchmark: a pass over an index of 1,000,000 segment records that
// evicts the 1,000 oldest. Reports the pass's time and the bytes RocksDB
// wrote for it. (The segment files are not created: this measures the
// index walk and the record deletions, which is what grows with the cache;
// unlinking 1,000 files adds the filesystem's own cost.)
// Usage: gc_bench [records] [evict] [dir]
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>

#include "actors/gc/gc_policy.h"
#include "actors/segment_cache/segment_store.h"
#include "actors/segment_cache/state_store.h"

using namespace hlsfs;

int main(int argc, char** argv) {
  const int64_t records = argc > 1 ? std::stoll(argv[1]) : 1000000;
  const int64_t evict = argc > 2 ? std::stoll(argv[2]) : 1000;
  std::string dir = argc > 3 ? argv[3] : (std::filesystem::temp_directory_path() / "hlsfs-gc-bench").string();
  std::filesystem::remove_all(dir);
  auto t0 = std::chrono::steady_clock::now();
  {
    auto state = StateStore::open(dir + "/state");
    const int64_t size = 500000;
    for (int64_t i = 0; i < records; ++i) {
      char token[40];
      snprintf(token, sizeof token, "%032llx", static_cast<unsigned long long>(i / 100));
      SegmentRecord rec;
      rec.size = size;
      rec.where = SegmentRecord::kLocal;
      rec.created_ms = rec.last_access_ms = 1000000 + i;  // oldest first in creation order
      state->put_segment(token, static_cast<uint32_t>(i % 100), rec);
    }
  }
  double fill = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  auto state = StateStore::open(dir + "/state");
  SegmentStore segments(dir + "/cache", *state);
  // A budget that the oldest `evict` records overflow exactly.
  GcPolicy p;
  p.max_bytes = state->local_bytes() - evict * 500000;
  p.high_water = 0.999999;
  p.low_water = 1.0;
  int64_t written_before = state->bytes_written();
  auto t1 = std::chrono::steady_clock::now();
  GcReport r = run_gc(*state, segments, p, 0, nullptr, false);
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t1).count();
  int64_t written = state->bytes_written() - written_before;
  printf("index of %lld records (filled in %.1f s): GC pass evicted %lld, visited %lld, in %.1f ms, "
         "RocksDB wrote %lld bytes (%.0f bytes per eviction)\n",
         static_cast<long long>(records), fill, static_cast<long long>(r.evicted), static_cast<long long>(r.visited),
         secs * 1000, static_cast<long long>(written), r.evicted ? static_cast<double>(written) / r.evicted : 0.0);
  std::filesystem::remove_all(dir);
  return r.evicted == evict ? 0 : 1;
}
