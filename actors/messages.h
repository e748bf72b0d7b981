// Atoms and typed interfaces of hlsfs's actors (CAF 0.17). Messages carry
// plain values (strings, integers), so every job and result stays
// serializable: a worker could move to another process or machine.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include <caf/all.hpp>

namespace hlsfs {

using get_atom = caf::atom_constant<caf::atom("get")>;
using transcode_atom = caf::atom_constant<caf::atom("transcode")>;
using encode_atom = caf::atom_constant<caf::atom("encode")>;
using generate_atom = caf::atom_constant<caf::atom("generate")>;
using publish_atom = caf::atom_constant<caf::atom("publish")>;
using status_atom = caf::atom_constant<caf::atom("status")>;
using touch_atom = caf::atom_constant<caf::atom("touch")>;
using flush_atom = caf::atom_constant<caf::atom("flush")>;
using prefetch_atom = caf::atom_constant<caf::atom("prefetch")>;
using write_atom = caf::atom_constant<caf::atom("write")>;
using remove_atom = caf::atom_constant<caf::atom("remove")>;
using tick_atom = caf::atom_constant<caf::atom("tick")>;
using gc_atom = caf::atom_constant<caf::atom("gc")>;
using upload_atom = caf::atom_constant<caf::atom("upload")>;
using encode_group_atom = caf::atom_constant<caf::atom("encgroup")>;
using make_room_atom = caf::atom_constant<caf::atom("makeroom")>;

// A segment on the local disk: errno (0 = ready), path in cache_dir, size.
using segment_cache_actor = caf::typed_actor<
    // Makes sure (token, n) exists, waiting for the transcoder if needed.
    caf::replies_to<get_atom, std::string, uint32_t>::with<int32_t, std::string, int64_t>,
    // Queue segments [from, to) of token at a background priority (1 prefetch, 2 initial).
    caf::reacts_to<prefetch_atom, std::string, uint32_t, uint32_t, int32_t>,
    caf::replies_to<status_atom>::with<std::string>>;

// Transcoder scheduler: (token, n, priority) -> errno, size, sha256, seconds,
// message, fetched (true: copied from the target store, not transcoded).
using transcoder_actor = caf::typed_actor<
    caf::replies_to<transcode_atom, std::string, uint32_t, int32_t>::with<int32_t, int64_t, std::string, double,
                                                                          std::string, bool>,
    caf::replies_to<status_atom>::with<std::string>>;

// One worker: makes one segment (token, n, priority, job id), blocking (a
// detached actor, own thread). The job id names the job's threads, so the
// scheduler can raise a background job a reader waits for.
// encode_group: segment n of several renditions sharing one decode (tokens,
// n, priority, job id) -> a JSON array of {err, size, sum, seconds, message},
// one per token.
using worker_actor = caf::typed_actor<
    caf::replies_to<encode_atom, std::string, uint32_t, int32_t, uint32_t>::with<int32_t, int64_t, std::string,
                                                                                 double, std::string, bool>,
    caf::replies_to<encode_group_atom, std::vector<std::string>, uint32_t, int32_t, uint32_t>::with<std::string>>;

// GenerateVideoPlaylist: request JSON -> HTTP status, response JSON.
// publish: the same generate with its playlists published only (the mount
// and the state), never written into a store: library mode (a library is
// read-only).
using playlist_actor = caf::typed_actor<caf::replies_to<generate_atom, std::string>::with<int32_t, std::string>,
                                        caf::replies_to<publish_atom, std::string>::with<int32_t, std::string>>;

// Access-time records and eviction of cold segments. tick: "a segment was
// just made, check the budget and the free-space floor"; gc: a pass now (dry
// run or not) -> report JSON; make_room: a segment could not be written for
// want of space (ENOSPC): evict now -> bytes freed (0: nothing to evict), and
// what was done, for the log.
using gc_actor = caf::typed_actor<caf::reacts_to<touch_atom, std::string, uint32_t>, caf::reacts_to<flush_atom>,
                                  caf::reacts_to<tick_atom>, caf::replies_to<gc_atom, bool>::with<std::string>,
                                  caf::replies_to<status_atom>::with<std::string>,
                                  caf::replies_to<make_room_atom>::with<int64_t, std::string>>;

// One per store, wrapping its plugin: blocking I/O on its own thread.
using storage_actor = caf::typed_actor<
    // (key, bytes, keep_existing, object tags "k=v&..." or ""): an atomic whole-object write -> errno, message
    caf::replies_to<write_atom, std::string, std::string, bool, std::string>::with<int32_t, std::string>,
    caf::replies_to<remove_atom, std::string>::with<int32_t, std::string>,
    // (key, local file, object tags): a made segment written back to an object store -> errno, message
    caf::replies_to<upload_atom, std::string, std::string, std::string>::with<int32_t, std::string>>;

}  // namespace hlsfs
