// The playlist actor: GenerateVideoPlaylist. Each request runs on a detached
// worker (probing reads the source: blocking), the reply goes back to the
// caller; InitialTranscode segments are handed to the segment cache.
#pragma once
#include <memory>

#include "actors/messages.h"
#include "actors/services.h"

namespace hlsfs {

playlist_actor spawn_playlist(caf::actor_system& sys, std::shared_ptr<Services> svc, segment_cache_actor cache);

}  // namespace hlsfs
