// systemd's WatchdogSec=: hlsfsd says WATCHDOG=1 only while its actors work.
// A scheduled (not detached) actor wakes every `interval`, asks each probe
// (the segment cache and the transcoder: every read passes through them) for
// its status, and calls `alive` once all of them answered within the same
// interval. A stuck scheduler, or a probe stuck in a handler, stops the
// keep-alives, and systemd restarts the service after WatchdogSec; a plain
// timer thread would go on saying "alive" through either.
#pragma once
#include <chrono>
#include <functional>
#include <vector>

#include "actors/messages.h"

namespace hlsfs {

// Half of systemd's WATCHDOG_USEC (sd_watchdog_enabled(3) recommends it),
// at least 10 ms.
std::chrono::milliseconds watchdog_interval(uint64_t watchdog_usec);

// Probes answer status_atom with a std::string (segment_cache_actor,
// transcoder_actor, gc_actor).
caf::actor spawn_watchdog(caf::actor_system& sys, std::chrono::milliseconds interval, std::vector<caf::actor> probes,
                          std::function<void()> alive);

}  // namespace hlsfs
