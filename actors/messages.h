// Atoms and typed interfaces of hlsfs's actors (CAF 0.17). Messages carry
// plain values (strings, integers) or small structs of them with an
// inspect(), so every job and result stays serializable: a worker could
// move to another process or machine.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include <caf/all.hpp>

#include "actors/segment_cache/eviction.h"
#include "actors/segment_cache/segment_listing.h"

namespace hlsfs {

// ---- The segment path: the FUSE adapter and the GC ask the segment cache,
// the one owner of segment state (records, in-flight jobs, open counts,
// access times, the files in cache_dir).

// A reader opens segment n of token: made first when it is not there.
struct OpenSegment {
  std::string token;
  uint32_t n = 0;
};
// The answer: err 0 and an open descriptor (the reader's; it closes it and
// sends CloseSegment), or an errno (ENOENT, EBUSY, ENOSPC, EIO, ...) the
// FUSE adapter translates for the reader.
struct OpenedSegment {
  int32_t err = 0;
  int32_t fd = -1;
  int64_t size = 0;
};
// A reader closed what OpenSegment gave it (the GC may evict it again).
struct CloseSegment {
  std::string token;
  uint32_t n = 0;
};
// The size of segment n of token (getattr, lookup): made first when it is
// not there, as the size is only known then.
struct StatSegment {
  std::string token;
  uint32_t n = 0;
};
struct SegmentSize {
  int32_t err = 0;
  int64_t size = 0;
};
// One page of a mount directory (readdir): the entries after `from`, the
// first `skip` of them left out, at most `max` returned.
struct ListDirectory {
  std::string path;
  DirCursor from;
  int64_t skip = 0;
  uint32_t max = 0;
};
struct DirPageEntry {
  std::string name;
  bool is_dir = false;
  DirCursor after;
};
struct DirPage {
  std::vector<DirPageEntry> entries;
  std::string error;  // set when the listing failed part way (entries: those before)
};
// The segment cache asks the transcoder for segment n of token (priority: 0
// a reader waits, 1 prefetch, 2 initial).
struct SegmentJob {
  std::string token;
  uint32_t n = 0;
  int32_t priority = 0;
};
// How a job ended: err 0 (made) or an errno for the readers; the segment's
// size and SHA-256; the seconds it took; why it failed (for the log);
// fetched: copied back from the target store, not transcoded; temp: the
// made file in cache_dir's temp area, which the segment cache (and nobody
// else) renames into place (SegmentStore::place).
struct JobResult {
  int32_t err = 0;
  int64_t size = 0;
  std::string sum;
  double seconds = 0;
  std::string message;
  bool fetched = false;
  std::string temp;
};
// The transcoder hands one worker segment n of one token, or of several
// renditions sharing one decode; job_id names the job's threads, so that the
// scheduler can raise a background job a reader waits for.
struct EncodeJob {
  std::vector<std::string> tokens;
  uint32_t n = 0;
  int32_t priority = 0;
  uint32_t job_id = 0;
};

// A generate queues segments [from, to) of token at a background priority
// (1 prefetch, 2 initial: its InitialTranscode).
struct PrefetchSegments {
  std::string token;
  uint32_t from = 0, to = 0;
  int32_t priority = 1;
};
// The GC's answer to make_room (a segment could not be written for want of
// space): bytes freed (0: nothing to evict) and what was done, for the log.
struct RoomMade {
  int64_t freed = 0;
  std::string what;
};

// The GC's order: evict by the policy now (or only say what would go), at
// least must_free bytes whatever the budget says.
struct EvictOrder {
  bool dry_run = false;
  int64_t must_free = 0;
};

// CAF serializes a message type through inspect(): its name, then its
// fields in order (written x.field). One line per type.
#define HLSFS_MESSAGE_FIELDS(Type, ...)                                 \
  template <class Inspector>                                            \
  typename Inspector::result_type inspect(Inspector& f, Type& x) {      \
    return f(caf::meta::type_name(#Type), __VA_ARGS__);                 \
  }
HLSFS_MESSAGE_FIELDS(DirCursor, x.phase, x.name, x.n)
HLSFS_MESSAGE_FIELDS(OpenSegment, x.token, x.n)
HLSFS_MESSAGE_FIELDS(OpenedSegment, x.err, x.fd, x.size)
HLSFS_MESSAGE_FIELDS(CloseSegment, x.token, x.n)
HLSFS_MESSAGE_FIELDS(StatSegment, x.token, x.n)
HLSFS_MESSAGE_FIELDS(SegmentSize, x.err, x.size)
HLSFS_MESSAGE_FIELDS(ListDirectory, x.path, x.from, x.skip, x.max)
HLSFS_MESSAGE_FIELDS(DirPageEntry, x.name, x.is_dir, x.after)
HLSFS_MESSAGE_FIELDS(DirPage, x.entries, x.error)
HLSFS_MESSAGE_FIELDS(SegmentJob, x.token, x.n, x.priority)
HLSFS_MESSAGE_FIELDS(JobResult, x.err, x.size, x.sum, x.seconds, x.message, x.fetched, x.temp)
HLSFS_MESSAGE_FIELDS(EncodeJob, x.tokens, x.n, x.priority, x.job_id)
HLSFS_MESSAGE_FIELDS(PrefetchSegments, x.token, x.from, x.to, x.priority)
HLSFS_MESSAGE_FIELDS(RoomMade, x.freed, x.what)
HLSFS_MESSAGE_FIELDS(EvictOrder, x.dry_run, x.must_free)
HLSFS_MESSAGE_FIELDS(GcReport, x.evicted, x.freed_bytes, x.skipped_open, x.visited, x.bytes_before, x.bytes_after,
                     x.must_free, x.dry_run)
#undef HLSFS_MESSAGE_FIELDS

using generate_atom = caf::atom_constant<caf::atom("generate")>;
using publish_atom = caf::atom_constant<caf::atom("publish")>;
using status_atom = caf::atom_constant<caf::atom("status")>;
using flush_atom = caf::atom_constant<caf::atom("flush")>;
using write_atom = caf::atom_constant<caf::atom("write")>;
using remove_atom = caf::atom_constant<caf::atom("remove")>;
using tick_atom = caf::atom_constant<caf::atom("tick")>;
using gc_atom = caf::atom_constant<caf::atom("gc")>;
using upload_atom = caf::atom_constant<caf::atom("upload")>;
using make_room_atom = caf::atom_constant<caf::atom("makeroom")>;

// The segment cache, the owner of segment state (the structs above).
using segment_cache_actor = caf::typed_actor<
    caf::replies_to<OpenSegment>::with<OpenedSegment>, caf::reacts_to<CloseSegment>,
    caf::replies_to<StatSegment>::with<SegmentSize>, caf::replies_to<ListDirectory>::with<DirPage>,
    caf::replies_to<EvictOrder>::with<GcReport>,
    // Its own timer: the access times of the last second written down.
    caf::reacts_to<flush_atom>,
    caf::reacts_to<PrefetchSegments>,
    caf::replies_to<status_atom>::with<std::string>>;

// Transcoder scheduler: one job per segment, however many ask (SegmentJob).
using transcoder_actor =
    caf::typed_actor<caf::replies_to<SegmentJob>::with<JobResult>, caf::replies_to<status_atom>::with<std::string>>;

// One worker: makes the segments of one EncodeJob, blocking (a detached
// actor, own thread): one result per token, in order.
using worker_actor = caf::typed_actor<caf::replies_to<EncodeJob>::with<std::vector<JobResult>>>;

// GenerateVideoPlaylist: request JSON -> HTTP status, response JSON.
// publish: the same generate with its playlists published only (the mount
// and the state), never written into a store: library mode (a library is
// read-only).
using playlist_actor = caf::typed_actor<caf::replies_to<generate_atom, std::string>::with<int32_t, std::string>,
                                        caf::replies_to<publish_atom, std::string>::with<int32_t, std::string>>;

// When and how much to evict (the segment cache evicts: EvictOrder). owner:
// the segment cache to ask, sent once at start; tick: "a segment was just
// made, check the budget and the free-space floor"; gc: a pass now (dry run
// or not) -> report JSON; make_room: a segment could not be written for want
// of space (ENOSPC): evict now (RoomMade).
using owner_atom = caf::atom_constant<caf::atom("owner")>;
using gc_actor = caf::typed_actor<caf::reacts_to<owner_atom, segment_cache_actor>, caf::reacts_to<flush_atom>,
                                  caf::reacts_to<tick_atom>, caf::replies_to<gc_atom, bool>::with<std::string>,
                                  caf::replies_to<status_atom>::with<std::string>,
                                  caf::replies_to<make_room_atom>::with<RoomMade>>;

// One per store, wrapping its plugin: blocking I/O on its own thread.
using storage_actor = caf::typed_actor<
    // (key, bytes, keep_existing, object tags "k=v&..." or ""): an atomic whole-object write -> errno, message
    caf::replies_to<write_atom, std::string, std::string, bool, std::string>::with<int32_t, std::string>,
    caf::replies_to<remove_atom, std::string>::with<int32_t, std::string>,
    // (key, local file, object tags): a made segment written back to an object store -> errno, message
    caf::replies_to<upload_atom, std::string, std::string, std::string>::with<int32_t, std::string>>;

}  // namespace hlsfs
