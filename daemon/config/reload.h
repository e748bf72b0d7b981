// SIGHUP: which configuration changes hlsfsd applies while it runs and which
// need a restart. Live: log level, cache budget and water marks, idle age,
// GC interval, prefetch depth. Everything that shapes the mount, the state,
// the stores, the listeners or the bytes of a segment (preset, threads,
// x264 params: a segment must come out identical however often it is made)
// needs a restart; the signing section belongs to the nginx site (regenerate
// it with `hlsfsctl nginx-site` and reload nginx).
#pragma once
#include <string>
#include <vector>

#include "actors/tunables.h"
#include "daemon/config/config.h"

namespace hlsfs {

Tunables tunables_of(const Config& c);

struct ReloadPlan {
  std::vector<std::string> applied;       // keys that take effect now
  std::vector<std::string> need_restart;  // keys that changed but wait for a restart
  std::vector<std::string> for_nginx;     // keys nginx reads (signing.*)
};

ReloadPlan plan_reload(const Config& running, const Config& fresh);

// The configuration that runs after a reload: `running` with the live keys
// (and the signing section) taken from `fresh`.
Config with_live_changes(const Config& running, const Config& fresh);

}  // namespace hlsfs
