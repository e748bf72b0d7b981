// What the actors share: configuration values, the stores, the state, the
// catalog and the metrics. Built once by hlsfsd (and by tests) and handed to
// every actor; everything in it is thread-safe or immutable after start.
#pragma once
#include <atomic>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "actors/playlist/catalog.h"
#include "actors/playlist/master_bandwidth.h"
#include "actors/playlist/rendition.h"
#include "actors/playlist/title_finder.h"
#include "actors/storage/store_router.h"
#include "actors/transcoder/source.h"
#include "actors/transcoder/job_progress.h"
#include "actors/tunables.h"

namespace hlsfs {

class Backend;
class RecentSegments;
class JobProgressBoard;
class BlockCache;
class StateStore;
class SegmentStore;
class MetricsRegistry;
struct DaemonMetrics;
class WorkerPool;
class Quarantine;
class SharedUse;
class Notifier;
class RecentTitles;

struct Services {
  std::string cache_dir;
  EncoderConfig encoder;
  int workers = 2;
  StoreRouter router;
  std::map<std::string, std::shared_ptr<Backend>> backends;  // by store name
  std::shared_ptr<StateStore> state;
  std::shared_ptr<SegmentStore> segments;
  std::shared_ptr<Catalog> catalog;
  std::shared_ptr<MetricsRegistry> metrics;  // may be null
  // Handles into `metrics`, made once at start (daemon_metrics.h): record
  // through these, not by name. Null when metrics is.
  std::shared_ptr<DaemonMetrics> meters;
  std::shared_ptr<RecentSegments> recent;  // may be null
  std::shared_ptr<JobProgressBoard> progress = std::make_shared<JobProgressBoard>();
  // Blocks of sources in object stores, shared by every job (and the probe):
  // a file's header and index are fetched once, not by every segment.
  std::shared_ptr<BlockCache> source_blocks;
  // Which masters list which renditions (their BANDWIDTH follows the segments made).
  std::shared_ptr<MasterIndex> masters = std::make_shared<MasterIndex>();
  std::function<bool(const std::string& store, const std::string& key, const std::string& text, const std::string& tagging)> raised_master_writer;  // cluster: a raised master merged into its store (actors/cluster/master_raiser.h) instead of written over; unset or false: written as before
  // Jobs (segments and probes) run in these worker processes; null: in this
  // process (hlsfsctl render, tests).
  std::shared_ptr<WorkerPool> worker_pool;
  std::shared_ptr<Quarantine> quarantine;  // may be null
  // The webhook (notifications.url) events about requests go to; may be null.
  std::shared_ptr<Notifier> notifier;
  std::shared_ptr<RecentTitles> titles;  // the last generates, for status; may be null
  // Asked in order when a lookup misses the catalog (library mode, cluster).
  std::vector<std::shared_ptr<TitleFinder>> title_finders;
  // Cluster (cluster.node set): the other nodes' uses of copies in object
  // stores, for remote expiry, and this node's, published (actors/cluster/).
  std::shared_ptr<SharedUse> shared_use;
  std::string cluster_node;  // cluster.node ("" not in a cluster: no title records are written to buckets, nor looked up there)

  std::shared_ptr<const Tunables> tunables() const { return std::atomic_load(&tunables_); }
  void set_tunables(Tunables t) { std::atomic_store(&tunables_, std::make_shared<const Tunables>(std::move(t))); }

  std::shared_ptr<Backend> backend(const std::string& store) const;
  // Opens sources through the stores (for one job or probe; not shared between threads).
  std::unique_ptr<SourceOpener> source_opener() const;

 private:
  std::shared_ptr<const Tunables> tunables_ = std::make_shared<const Tunables>();
};

}  // namespace hlsfs
