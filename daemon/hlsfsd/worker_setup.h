// Starts the pool of sandboxed worker processes (actors/worker) the daemon's
// segment jobs and probes run in, unless transcoder.isolation is "inline".
#pragma once
#include "actors/services.h"
#include "daemon/config/config.h"

namespace hlsfs {

// Sets svc.worker_pool and svc.quarantine. Throws std::runtime_error with
// one line when the workers cannot start (no hlsfs-worker next to hlsfsd,
// an unknown worker_user): hlsfsd must not serve unsandboxed by accident.
void start_workers(const Config& cfg, Services& svc);

}  // namespace hlsfs
