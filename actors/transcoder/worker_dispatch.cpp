#include "actors/transcoder/worker_dispatch.h"

#include <unistd.h>

#include <map>
#include <optional>

#include "actors/daemon_metrics.h"
#include "actors/playlist/catalog.h"
#include "actors/segment_cache/state_store.h"
#include "actors/storage/backend.h"
#include "actors/storage/backend_reader.h"
#include "actors/transcoder/job_deadline.h"
#include "actors/worker/quarantine.h"
#include "actors/worker/worker_pool.h"

namespace hlsfs {

namespace {

// The sources of one job as the worker gets them: a local store's
// descriptor (opened after the store's checks) or ranges read here through
// the store's block cache. The worker never sees a path or a credential.
class JobSources {
 public:
  JobSources(const Services& svc, SourceOpener& opener) : svc_(svc), opener_(opener) {}

  // `checked`: the identity the caller has just verified (segment_job's
  // check against the token), so an object store is not asked again: each
  // HEAD is a bucket request per cold segment.
  void add(const std::string& uri, WorkerJob& job, WorkerSources& out, const SourceIdentity* checked = nullptr) {
    for (const auto& s : job.sources)
      if (s.id.uri == uri) return;
    WorkerSource src;
    src.id = checked && checked->uri == uri ? *checked : opener_.identify(uri);
    auto loc = svc_.router.locate(uri);
    if (!loc) throw MediaError(uri + ": no configured store holds this URI (" + svc_.router.describe() + ")");
    auto backend = svc_.backend(loc->store);
    if (!backend) throw MediaError(uri + ": store \"" + loc->store + "\" is not open");
    std::optional<int> fd;
    try {
      fd = backend->open_read(loc->key);
    } catch (const BackendError& e) {
      throw MediaError(e.what());
    }
    src.local = fd.has_value();
    if (fd) {
      out.fds.push_back(*fd);
    } else {
      readers_[job.sources.size()] = std::make_unique<BackendReader>(
          backend, loc->key, src.id.version, src.id.size,
          svc_.source_blocks ? svc_.source_blocks : std::make_shared<BlockCache>(), stats_);
    }
    job.sources.push_back(src);
  }

  std::string read(size_t index, int64_t offset, int64_t length) {
    auto it = readers_.find(index);
    if (it == readers_.end()) throw std::runtime_error("not a ranged source");
    std::string bytes(static_cast<size_t>(length), '\0');
    it->second->seek(offset);
    int64_t got = it->second->read(bytes.data(), length);
    bytes.resize(static_cast<size_t>(got));
    return bytes;
  }
  int64_t fetched() const { return stats_->bytes_fetched.load(); }

 private:
  const Services& svc_;
  SourceOpener& opener_;
  std::map<size_t, std::unique_ptr<BackendReader>> readers_;
  std::shared_ptr<ReadStats> stats_ = std::make_shared<ReadStats>();
};

// A worker's fault is the source's third strike, or not yet.
template <typename F>
auto counting_faults(const Services& svc, const SourceIdentity& id, F&& run) -> decltype(run()) {
  if (svc.quarantine)
    if (auto why = svc.quarantine->check(id)) throw MediaError(*why);
  try {
    return run();
  } catch (const WorkerFault& f) {
    if (svc.meters) svc.meters->transcoder.worker_fault(f.kind).inc();
    if (svc.quarantine && svc.quarantine->record(id, f.kind, f.what()) == Quarantine::kStrikes && svc.meters)
      svc.meters->transcoder.quarantined->inc();
    throw;
  }
}

}  // namespace

std::vector<SegmentResult> encode_in_worker(const Services& svc, SourceOpener& opener,
                                            const std::vector<std::shared_ptr<const PublishedRendition>>& rs,
                                            uint32_t n, EncodeProgress* progress) {
  const PublishedRendition& lead = *rs.front();
  WorkerJob job;
  job.kind = "segment";
  job.segment = n;
  job.background = progress && progress->background.load();
  job.media = *lead.media;
  WorkerSources sources;
  JobSources gather(svc, opener);
  gather.add(lead.spec.source_uri, job, sources, &lead.media->source);  // segment_job verified it
  for (const auto& r : rs) {
    auto record = svc.state ? svc.state->get_playlist(r->spec.token) : std::nullopt;
    if (!record) throw MediaError("the record of playlist " + r->spec.token + " is missing from the state");
    job.tokens.push_back(r->spec.token);
    job.records.push_back(*record);
    if (r->spec.subtitle && !r->spec.subtitle->file_uri.empty()) gather.add(r->spec.subtitle->file_uri, job, sources);
  }
  sources.read_range = [&gather](size_t i, int64_t off, int64_t len) { return gather.read(i, off, len); };
  auto segs = counting_faults(svc, job.sources.front().id,
                              [&] { return svc.worker_pool->run_segment(job, sources, progress); });
  if (svc.meters && gather.fetched() > 0)
    svc.meters->transcoder.source_bytes_fetched->inc(static_cast<uint64_t>(gather.fetched()));
  return segs;
}

MediaInfo probe_in_worker(const Services& svc, SourceOpener& opener, const std::string& uri) {
  // The probe's own limit when the caller set none (as probe_source does).
  std::optional<DeadlineScope> scope;
  if (!current_deadline()) scope.emplace(std::make_shared<ProgressDeadline>(probe_limit(0), ""));
  Reading reading("probing " + uri);
  WorkerJob job;
  job.kind = "probe";
  WorkerSources sources;
  JobSources gather(svc, opener);
  gather.add(uri, job, sources);
  sources.read_range = [&gather](size_t i, int64_t off, int64_t len) { return gather.read(i, off, len); };
  return counting_faults(svc, job.sources.front().id, [&] { return svc.worker_pool->run_probe(job, sources); });
}

}  // namespace hlsfs
