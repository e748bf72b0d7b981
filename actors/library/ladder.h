// A library file's GenerateVideoPlaylist request, from the library's policy
// and the file's probe: which rungs of the ladder it gets (only those the
// source is at least as tall as, always one), their names, and the IMM JSON
// the playlist actor's generate takes like any API request.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "actors/library/library_settings.h"
#include "hlsfs/media_info.h"

namespace hlsfs {

// The displayed height of a video stream (sample aspect ratio and rotation
// applied): what "at least that tall" compares.
int displayed_height(const StreamInfo& video);

// The rungs (heights) a source `height` tall gets, tallest first: every rung
// <= height; when none is, the shortest rung alone (made at the source's
// own size: generate never upscales).
std::vector<int> choose_rungs(const std::vector<int>& ladder, int height);

// The request for the video file at source_uri, its title directory being
// title_uri (".../a.mkv.hls", no trailing '/'). nullopt when the source has
// no video stream (nothing to play in a library).
std::optional<nlohmann::json> library_request(const LibrarySettings& s, const MediaInfo& media,
                                              const std::string& source_uri, const std::string& title_uri);

}  // namespace hlsfs
