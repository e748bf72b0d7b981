#include "actors/daemon_metrics.h"

#include <cerrno>

namespace hlsfs {

namespace {

// Buckets, in seconds, sized for what each measures.
// A reader's wait: a cached segment answers in well under a millisecond to a
// few (RocksDB, the disk); a cold one takes about a segment's transcode time.
const std::vector<double> kWaitBuckets{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
                                       0.5,    1,     2,      3,     5,    8,     13,   20,   30, 60};
// One segment job (kept as it was: dashboards already use these).
const std::vector<double> kTranscodeBuckets{0.25, 0.5, 1, 1.5, 2, 3, 5, 8, 13, 20, 30, 60};
// A GC pass walks the state (RocksDB) and deletes files.
const std::vector<double> kGcBuckets{0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60};
// A generate probes the source (through its store) and writes playlists.
const std::vector<double> kGenerateBuckets{0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 120};

}  // namespace

Counter& DaemonMetrics::Fuse::read_error(int reader_errno) const {
  if (reader_errno == EBUSY) return *ebusy;
  if (reader_errno == ENOENT) return *enoent;
  return *eio;
}

Counter& DaemonMetrics::Generate::result(int http_status) const {
  if (http_status == 200) return *ok;
  if (http_status >= 400 && http_status < 500) return *refused;
  return *failed;
}

DaemonMetrics::DaemonMetrics(MetricsRegistry& r) : registry(r) {
  auto fuse_op = [&](const char* op) {
    return &r.counter("hlsfs_fuse_requests_total", "FUSE requests by operation", {{"op", op}});
  };
  fuse.lookup = fuse_op("lookup");
  fuse.getattr = fuse_op("getattr");
  fuse.open = fuse_op("open");
  fuse.read = fuse_op("read");
  fuse.opendir = fuse_op("opendir");
  fuse.readdir = fuse_op("readdir");
  fuse.forget = fuse_op("forget");  // forget and forget_multi, one per inode forgotten
  auto read_error = [&](const char* e) {
    return &r.counter("hlsfs_read_errors_total",
                      "Segment opens and lookups answered with an error, by the errno the reader got "
                      "(EIO: the segment could not be made; EBUSY: too many jobs or readers; ENOENT: no such segment)",
                      {{"errno", e}});
  };
  fuse.eio = read_error("EIO");
  fuse.ebusy = read_error("EBUSY");
  fuse.enoent = read_error("ENOENT");

  for (auto [found, name] : {std::pair{SegmentFound::cached, "cached"}, std::pair{SegmentFound::cold, "cold"}})
    cache.reader_wait[static_cast<int>(found)] = &r.histogram(
        "hlsfs_reader_wait_seconds",
        "Time a reader waited for a segment, from its request to the segment cache to the answer: "
        "cached (on disk) or cold (made or fetched for it)",
        kWaitBuckets, {{"kind", name}});
  cache.readers_refused = &r.counter("hlsfs_readers_refused_total",
                                     "Readers answered EBUSY: transcoder.max_waiters wait for the segment already");
  cache.written_back = &r.counter("hlsfs_segments_written_back_total", "Segments written to their object store");
  cache.write_back_failures = &r.counter("hlsfs_write_back_failures_total", "Segments not written to their object store");
  cache.master_bandwidth_raised =
      &r.counter("hlsfs_master_bandwidth_raised_total", "Masters rewritten: a segment outgrew BANDWIDTH");

  transcoder.queue_depth = &r.gauge("hlsfs_transcode_queue_depth", "Segment jobs waiting for a worker");
  transcoder.running = &r.gauge("hlsfs_transcode_running", "Segment jobs being made");
  transcoder.transcoded = &r.counter("hlsfs_segments_transcoded_total", "Segments made");
  transcoder.fetched = &r.counter("hlsfs_segments_fetched_total", "Segments copied back from their object store, not made");
  transcoder.failures = &r.counter("hlsfs_segment_failures_total", "Segments that could not be made");
  transcoder.timeouts = &r.counter("hlsfs_segment_timeouts_total",
                                   "Segment jobs ended by transcoder.job_timeout: no progress for that long");
  transcoder.shared_decode = &r.counter("hlsfs_shared_decode_segments_total",
                                        "Segments made in one decode with a sibling rendition's");
  transcoder.raised = &r.counter("hlsfs_jobs_raised_total", "Background segment jobs given a reader's CPU priority");
  transcoder.capped = &r.counter("hlsfs_segments_capped_total", "CRF segments made again at their rate cap");
  transcoder.source_bytes_fetched =
      &r.counter("hlsfs_source_bytes_fetched_total", "Source bytes read from object stores by segment jobs");
  transcoder.transcode_seconds = &r.histogram("hlsfs_segment_transcode_seconds", "Time to make one segment", kTranscodeBuckets);
  for (Priority p : {Priority::on_demand, Priority::prefetch, Priority::initial})
    for (auto [reason, name] : {std::pair{RefusedReason::queue_full, "queue_full"}, std::pair{RefusedReason::stuck_jobs, "stuck_jobs"}})
      transcoder.refused[static_cast<int>(p)][static_cast<int>(reason)] =
          &r.counter("hlsfs_jobs_refused_total", "Segment jobs refused or dropped (queue full, or jobs stuck)",
                     {{"priority", to_string(p)}, {"reason", name}});

  for (const char* kind : {"crash", "memory", "timeout", "sandbox", "protocol"})
    transcoder.worker_faults[kind] =
        &r.counter("hlsfs_worker_faults_total",
                   "Jobs ended by their worker process: crash, memory (transcoder.job_memory), timeout "
                   "(transcoder.job_timeout), sandbox (a refused system call), protocol (a malformed answer)",
                   {{"kind", kind}});
  transcoder.quarantined =
      &r.counter("hlsfs_sources_quarantined_total", "Sources quarantined after 3 worker faults of their jobs");

  gc.pass_seconds = &r.histogram("hlsfs_gc_pass_seconds", "Time of one GC pass over the local cache (eviction)", kGcBuckets);
  gc.evicted = &r.counter("hlsfs_gc_evicted_total", "Segments evicted from the local cache");
  gc.freed_bytes = &r.counter("hlsfs_gc_freed_bytes_total", "Bytes evicted from the local cache");
  gc.remote_deleted = &r.counter("hlsfs_gc_remote_deleted_total", "Segment copies deleted from object stores (remote_max_age)");
  gc.remote_failures = &r.counter("hlsfs_gc_remote_failures_total", "Segment copies an object store did not delete");
  gc.enospc = &r.counter("hlsfs_cache_enospc_total", "Segments not written for want of space in cache_dir (each wakes the GC)");
  gc.cache_full = &r.counter("hlsfs_cache_full_total", "Segments not made: cache_dir full and nothing to evict");

  generate.seconds = &r.histogram("hlsfs_generate_seconds",
                                  "Time to answer a GenerateVideoPlaylist (probe, plan, playlist writes)", kGenerateBuckets);
  auto generate_result = [&](const char* result) {
    return &r.counter("hlsfs_generate_requests_total",
                      "GenerateVideoPlaylist requests by result: ok (200), refused (4xx), failed (5xx)",
                      {{"result", result}});
  };
  generate.ok = generate_result("ok");
  generate.refused = generate_result("refused");
  generate.failed = generate_result("failed");
}

}  // namespace hlsfs
