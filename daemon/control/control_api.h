// The control API: HTTP+JSON requests -> actor messages -> HTTP replies.
//   POST /v1/GenerateVideoPlaylist   IMM request in, IMM response out
//   GET  /v1/status                  queue, running jobs, cache bytes, the last titles (Tags)
//   POST /v1/gc[?dry_run=1]          a GC pass, its report
//   GET  /v1/events?after=ID[&token=T]   the segments made lately (ids > ID), with Tags, UserData
//   GET  /v1/quarantine              sources whose jobs fault in their workers
//   POST /v1/quarantine/clear?uri=U  forgets U's faults: its jobs run again
//   GET  /healthz                    200 when the daemon answers
// Every answer's keys are PascalCase (IMM's style; Tags' keys stay the caller's); errors are IMM-style:
// {"Code": ..., "Message": ...} with a 4xx/5xx status.
#pragma once
#include <functional>
#include <memory>

#include "actors/messages.h"
#include "actors/playlist/recent_titles.h"
#include "actors/segment_cache/recent_segments.h"
#include "actors/worker/quarantine.h"
#include "daemon/http/http_server.h"

namespace hlsfs {

struct ControlActors {
  playlist_actor playlist;
  segment_cache_actor cache;
  transcoder_actor transcoder;
  gc_actor gc;
  std::shared_ptr<RecentSegments> recent;  // may be null
  std::shared_ptr<Quarantine> quarantine;  // may be null
  // This node in its cluster, as JSON for GET /v1/status ("Cluster"); may be empty.
  std::function<std::string()> cluster_status;
  std::shared_ptr<RecentTitles> titles;  // the last generates, with Tags (status); may be null
};

HttpHandler make_control_handler(caf::actor_system& sys, ControlActors actors);

}  // namespace hlsfs
