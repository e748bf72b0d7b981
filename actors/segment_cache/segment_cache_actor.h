// The segment cache, the one owner of segment state: the records, the jobs
// in flight, the open counts, the access times and the files in cache_dir.
// A reader's open is one request (OpenSegment -> an open descriptor): at
// once when the segment is cached, else after the one transcode job for it
// (200 readers = 1 job). It records the made segment, queues the next ones
// (prefetch), lists the mount's directories (ListDirectory) and evicts when
// the GC says so (EvictOrder). Segments of targets in an object store are
// written back there (through its storage actor) once made.
#pragma once
#include <map>
#include <memory>
#include <string>

#include "actors/messages.h"
#include "actors/services.h"

namespace hlsfs {

segment_cache_actor spawn_segment_cache(caf::actor_system& sys, std::shared_ptr<Services> svc,
                                        transcoder_actor transcoder, gc_actor gc,
                                        std::map<std::string, storage_actor> storage = {});

}  // namespace hlsfs
