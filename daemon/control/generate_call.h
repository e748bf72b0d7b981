// One GenerateVideoPlaylist call to the playlist actor: the request as the
// control API's JSON in, IMM's answer (status, JSON body) out. Both front
// doors use it: the control API (JSON on the unix socket) and IMM's own RPC
// protocol (daemon/imm/), so a request means the same through either.
#pragma once
#include <cstdint>
#include <functional>
#include <string>

#include "actors/messages.h"

namespace hlsfs {

// `done` runs once, on an actor's thread, with the actor's answer, or 500
// {"Code":"InternalError",...} when the actor could not answer.
void call_generate(caf::actor_system& sys, playlist_actor playlist, std::string request_json,
                   std::function<void(int32_t status, std::string body)> done);

}  // namespace hlsfs
