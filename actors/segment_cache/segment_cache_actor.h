// The segment cache: answers "make sure segment (token, n) is on disk" —
// at once when it is cached, else after the one transcode job for it (200
// readers = 1 job). Records the made segment, its access time (through the GC
// actor) and queues the next segments (prefetch). Segments of targets in an
// object store are written back there (through its storage actor) once made.
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
