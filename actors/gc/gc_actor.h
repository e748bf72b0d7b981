// The GC actor decides when and how much to evict (gc_policy.h): by the
// budget and idle age every gc_interval, by the free-space floor
// (cache.min_free) after every made segment, and at once when a segment
// could not be written for want of space (make_room). The segment cache,
// which owns the segments, evicts (EvictOrder); copies in object stores past
// remote_max_age are deleted through the stores' storage actors.
#pragma once
#include <map>
#include <memory>
#include <string>

#include "actors/messages.h"
#include "actors/services.h"

namespace hlsfs {

gc_actor spawn_gc(caf::actor_system& sys, std::shared_ptr<Services> svc,
                  std::map<std::string, storage_actor> storage = {});

}  // namespace hlsfs
