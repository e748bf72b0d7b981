// The transcoder: a scheduler actor over a pool of detached workers.
// Priorities on-demand > prefetch > initial; one job per segment however many
// ask; a worker blocks in libav on its own thread, never on CAF's scheduler.
#pragma once
#include <memory>

#include "actors/messages.h"
#include "actors/services.h"

namespace hlsfs {

transcoder_actor spawn_transcoder(caf::actor_system& sys, std::shared_ptr<Services> svc);

}  // namespace hlsfs
