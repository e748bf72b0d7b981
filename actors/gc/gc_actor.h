// The GC actor. Here: access times, batched (a read costs no RocksDB write;
// one batch per second carries them all). Eviction policy comes with the
// cache lifecycle issue and walks the access-time index this keeps.
#pragma once
#include <memory>

#include "actors/messages.h"
#include "actors/services.h"

namespace hlsfs {

gc_actor spawn_gc(caf::actor_system& sys, std::shared_ptr<Services> svc);

}  // namespace hlsfs
