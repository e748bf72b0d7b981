// What the actors share: configuration values, the stores, the state, the
// catalog and the metrics. Built once by hlsfsd (and by tests) and handed to
// every actor; everything in it is thread-safe or immutable after start.
#pragma once
#include <map>
#include <memory>
#include <string>

#include "actors/gc/gc_policy.h"
#include "actors/playlist/catalog.h"
#include "actors/playlist/rendition.h"
#include "actors/storage/store_router.h"
#include "actors/transcoder/source.h"

namespace hlsfs {

class Backend;
class StateStore;
class SegmentStore;
class MetricsRegistry;
class OpenSegments;

struct Services {
  std::string cache_dir;
  EncoderConfig encoder;
  int workers = 2;
  int prefetch_segments = 2;
  StoreRouter router;
  std::map<std::string, std::shared_ptr<Backend>> backends;  // by store name
  std::shared_ptr<StateStore> state;
  std::shared_ptr<SegmentStore> segments;
  std::shared_ptr<Catalog> catalog;
  std::shared_ptr<MetricsRegistry> metrics;  // may be null
  std::shared_ptr<OpenSegments> open_segments;
  GcPolicy gc;
  int64_t gc_interval_ms = 30000;

  std::shared_ptr<Backend> backend(const std::string& store) const;
  // Opens sources through the stores (for one job or probe; not shared between threads).
  std::unique_ptr<SourceOpener> source_opener() const;
};

}  // namespace hlsfs
