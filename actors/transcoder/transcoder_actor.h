// The transcoder: a scheduler actor over a pool of detached workers.
// Priorities on-demand > prefetch > initial; one job per segment however many
// ask; a worker blocks in libav on its own thread, never on CAF's scheduler.
// Bounded: at most transcoder.max_queue jobs wait (job_queue.h; beyond, EBUSY
// or a less urgent job dropped), and a job that makes no progress for
// transcoder.job_timeout ends with ETIMEDOUT (job_deadline.h), its thread
// left behind if it is stuck (watched_thread.h).
#pragma once
#include <memory>

#include "actors/messages.h"
#include "actors/services.h"

namespace hlsfs {

transcoder_actor spawn_transcoder(caf::actor_system& sys, std::shared_ptr<Services> svc);

}  // namespace hlsfs
