// The GC actor: access times, batched (a read costs no RocksDB write; one
// batch per second carries them all), and eviction (gc_policy.h) by the
// budget and idle age every gc_interval, by the free-space floor
// (cache.min_free) after every made segment, and at once when a segment
// could not be written for want of space (make_room).
#pragma once
#include <memory>

#include "actors/messages.h"
#include "actors/services.h"

namespace hlsfs {

gc_actor spawn_gc(caf::actor_system& sys, std::shared_ptr<Services> svc);

}  // namespace hlsfs
