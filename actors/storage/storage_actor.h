// One storage actor per store, wrapping its plugin. Backend I/O blocks (a
// disk, or a network round trip for S3/OSS), so each runs detached, on its
// own thread: the actors that answer FUSE and the API never wait on a store.
#pragma once
#include <map>
#include <memory>
#include <string>

#include "actors/messages.h"

namespace hlsfs {

class Backend;

storage_actor spawn_storage(caf::actor_system& sys, std::shared_ptr<Backend> backend);

}  // namespace hlsfs
