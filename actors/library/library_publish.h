// The finder's way to the playlist actor: its publish-only generate (the
// same generate the API runs, playlists published, never written), asked
// and waited for on the finder's own thread.
#pragma once
#include "actors/library/library_finder.h"
#include "actors/messages.h"

namespace hlsfs {

// sys must outlive every call (hlsfsd drops its finders before it stops).
LibraryPublish publish_through(caf::actor_system& sys, playlist_actor playlist);

}  // namespace hlsfs
