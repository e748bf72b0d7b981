// The playlist actor: GenerateVideoPlaylist. Each request runs on a detached
// worker (probing reads the source: blocking), the reply goes back to the
// caller; InitialTranscode segments are handed to the segment cache.
#pragma once
#include <map>
#include <memory>
#include <string>

#include "actors/messages.h"
#include "actors/services.h"

namespace hlsfs {

// storage: one storage actor per store name; playlists are written through them.
playlist_actor spawn_playlist(caf::actor_system& sys, std::shared_ptr<Services> svc, segment_cache_actor cache,
                              std::map<std::string, storage_actor> storage);

}  // namespace hlsfs
