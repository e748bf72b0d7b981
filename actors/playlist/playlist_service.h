// GenerateVideoPlaylist inside the daemon: validate, probe (once per source
// version, cached in the state store), plan, write the playlists into their
// stores, record everything, publish into the catalog. Blocking: the playlist
// actor runs it on a detached worker.
#pragma once
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "actors/services.h"

namespace hlsfs {

struct GenerateOutcome {
  int status = 200;         // HTTP status
  nlohmann::json body;      // IMM response, or {Code, Message}
  // Segments to make ahead (InitialTranscode): token and [0, count).
  std::vector<std::pair<std::string, uint32_t>> initial;
};

// A playlist file to put into its store. keep_existing: OverwritePolicy
// skip-existing (an existing object stays as it is).
struct PlaylistFile {
  std::string store, key, text;
  bool keep_existing = false;
  std::string tagging;  // object tags in S3/OSS stores (object_tags.h), "" none
  // now: durable when written. later: may be left unsynced (local stores,
  // Backend::write_unsynced) until a `flush` of its store, a PlaylistFile
  // with no key: a generate writes its playlists, then flushes each store
  // once (the files together, not two fsyncs each).
  enum class Sync { now, later, flush } sync = Sync::now;
};
// Writes one file; returns an error message, or "" when written.
using PlaylistWriter = std::function<std::string(const PlaylistFile&)>;

// Writes f with its store's backend, from the calling thread; returns an
// error message, or "" when written (or kept: keep_existing).
std::string write_directly(Services& svc, const PlaylistFile& f);

// The writer is how the files reach the stores: the playlist actor passes one
// that goes through the storage actors; without one, the backends are called
// directly.
// publish_only: library mode's own generate (its targets are in the library
// store, which is written nowhere; its source version keeps the file's
// ctime, any other generate's leaves it out: hlsfs/source_version.h); any
// other generate writing into a library store is refused (400).
GenerateOutcome generate_playlist(Services& svc, const std::string& request_body, const PlaylistWriter& writer = {},
                                  bool publish_only = false);

// A segment of `token` was made, `bytes` long: every master whose BANDWIDTH
// for it is below the measured rate is raised in the catalog and the state.
// Returns those masters' new text, for the caller to write into their stores.
std::vector<PlaylistFile> measure_segment(Services& svc, const std::string& token, uint32_t n, int64_t bytes);

// The probe of this exact source version, from the state store or made now
// (in a worker process when there is a pool) and recorded: generate's own,
// also asked by library mode before it chooses a title's renditions.
std::shared_ptr<const MediaInfo> probe_cached(Services& svc, SourceOpener& opener, const SourceIdentity& id);

// At start: connects the catalog to the recorded playlists, which it loads
// when first asked for (tokens recomputed and checked then; problems are
// logged). Returns how many renditions the catalog holds.
size_t restore_catalog(Services& svc);

// Segments of a rendition covering the first `seconds` (a segment cut by the
// limit is made whole); < 0 = all, 0 = none.
uint32_t initial_segment_count(const RenditionSpec& r, double seconds);

}  // namespace hlsfs
