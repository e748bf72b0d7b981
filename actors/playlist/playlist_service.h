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
};
// Writes one file; returns an error message, or "" when written.
using PlaylistWriter = std::function<std::string(const PlaylistFile&)>;

// The writer is how the files reach the stores: the playlist actor passes one
// that goes through the storage actors; without one, the backends are called
// directly.
GenerateOutcome generate_playlist(Services& svc, const std::string& request_body, const PlaylistWriter& writer = {});

// A segment of `token` was made, `bytes` long: every master whose BANDWIDTH
// for it is below the measured rate is raised in the catalog and the state.
// Returns those masters' new text, for the caller to write into their stores.
std::vector<PlaylistFile> measure_segment(Services& svc, const std::string& token, uint32_t n, int64_t bytes);

// At start: republish every recorded playlist (tokens recomputed and checked).
// Returns how many renditions were restored; problems are logged.
size_t restore_catalog(Services& svc);

// Segments of a rendition covering the first `seconds` (a segment cut by the
// limit is made whole); < 0 = all, 0 = none.
uint32_t initial_segment_count(const RenditionSpec& r, double seconds);

}  // namespace hlsfs
