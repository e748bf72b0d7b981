// Every metric the actors and the FUSE adapter record, registered once when
// hlsfsd starts: each series (with every label value known then) exists at 0
// before its first event, so rate() and alerts see it from the start; and
// callers hold these handles, so recording a value is one relaxed atomic
// add, with no registry lookup (a map under a mutex) on the FUSE path.
// Per-store request metrics live with the store (BackendMetrics, backend.h);
// gauges read at scrape time are registered where their state lives
// (hlsfsd's main, the GC, the transcoder).
#pragma once
#include <array>
#include <map>
#include <string>

#include "actors/transcoder/job_queue.h"
#include "metrics/metrics.h"

namespace hlsfs {

// Why a segment job was refused or dropped (hlsfs_jobs_refused_total's reason).
enum class RefusedReason : int { queue_full = 0, stuck_jobs = 1 };

// How the segment a reader asked for was found.
enum class SegmentFound : int { cached = 0, cold = 1 };

struct DaemonMetrics {
  explicit DaemonMetrics(MetricsRegistry& registry);
  DaemonMetrics(const DaemonMetrics&) = delete;
  DaemonMetrics& operator=(const DaemonMetrics&) = delete;

  MetricsRegistry& registry;

  // FUSE adapter: requests by operation, and segments a reader could not
  // have (the errno the reader got: EIO, EBUSY or ENOENT).
  struct Fuse {
    Counter *lookup, *getattr, *open, *read, *opendir, *readdir, *forget;
    Counter *eio, *ebusy, *enoent;
    Counter& read_error(int reader_errno) const;  // eio for anything but EBUSY and ENOENT
  } fuse;

  // Segment cache: how long readers waited for a segment, from their
  // request's arrival to its answer, by cached (on disk) or cold (made or
  // fetched for them).
  struct Cache {
    std::array<Histogram*, 2> reader_wait;  // by SegmentFound
    Counter *readers_refused, *written_back, *write_back_failures, *master_bandwidth_raised;
    Histogram& wait(SegmentFound f) const { return *reader_wait[static_cast<int>(f)]; }
  } cache;

  // Transcoder and its jobs.
  struct Transcoder {
    Gauge *queue_depth, *running;
    Counter *transcoded, *fetched, *failures, *timeouts, *shared_decode, *raised, *capped, *source_bytes_fetched;
    Histogram* transcode_seconds;
    std::array<std::array<Counter*, 2>, 3> refused;  // by Priority, RefusedReason
    Counter& refused_job(Priority p, RefusedReason r) const {
      return *refused[static_cast<int>(p)][static_cast<int>(r)];
    }
    // Worker processes: jobs ended by a fault (crash, memory, timeout,
    // sandbox, protocol), and sources quarantined for them.
    std::map<std::string, Counter*> worker_faults;
    Counter* quarantined;
    Counter& worker_fault(const std::string& kind) const {
      auto it = worker_faults.find(kind);
      return *(it != worker_faults.end() ? it->second : worker_faults.at("protocol"));
    }
  } transcoder;

  // GC: passes and what they evicted, copies expired in object stores, ENOSPC.
  struct Gc {
    Histogram* pass_seconds;
    Counter *evicted, *freed_bytes, *remote_deleted, *remote_failures, *enospc, *cache_full;
  } gc;

  // GenerateVideoPlaylist: how long a generate takes (probe, plan, playlist
  // writes) and how it ended: 200 (ok), 4xx (refused), anything else (failed).
  struct Generate {
    Histogram* seconds;
    Counter *ok, *refused, *failed;
    Counter& result(int http_status) const;
  } generate;
};

}  // namespace hlsfs
