// Segment and probe jobs handed to a worker process (actors/worker): what the
// daemon gathers for one (the renditions' records, the probe, the sources as
// descriptors or ranges) and the quarantine of sources whose jobs keep
// faulting. Used by segment_job.cpp and the playlist service when hlsfsd
// runs a worker pool (Services::worker_pool); without one, jobs run in this
// process as before (hlsfsctl render, tests).
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "actors/services.h"
#include "actors/transcoder/segment_encoder.h"
#include "actors/transcoder/source.h"

namespace hlsfs {

struct PublishedRendition;

// Segment n of `rs` (renditions sharing a decode; rs[0] leads), made in a
// worker. Throws MediaError (the source's content), WorkerFault (the worker
// crashed, ran out of memory or time: counted against the source),
// JobAbandoned, or std::exception.
std::vector<SegmentResult> encode_in_worker(const Services& svc, SourceOpener& opener,
                                            const std::vector<std::shared_ptr<const PublishedRendition>>& rs,
                                            uint32_t n, EncodeProgress* progress);

// The probe of `uri`, made in a worker.
MediaInfo probe_in_worker(const Services& svc, SourceOpener& opener, const std::string& uri);

}  // namespace hlsfs
