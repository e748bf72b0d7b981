// Playlist text. Media playlists are VOD, exact (EXTINF = the frames the
// segment holds) and complete before any segment exists.
#pragma once
#include <string>
#include <vector>

#include "actors/playlist/rendition.h"

namespace hlsfs {

std::string media_playlist(const RenditionSpec& r);

// HLS wants EXTINF rounded to the nearest integer <= TARGETDURATION.
int target_duration(const SegmentPlan& plan);

struct MasterEntry {
  const RenditionSpec* rendition;
  std::string relative_uri;  // media playlist relative to the master
  int64_t bandwidth;         // peak bit/s
  int64_t average_bandwidth;
  std::string codecs;        // RFC 6381, e.g. "avc1.640028,mp4a.40.2"
};
std::string master_playlist(const std::vector<MasterEntry>& entries);

// The relative path from the directory of `from_uri` to `to_uri` (both
// URIs of the same scheme/bucket; `to` lies in from's directory or below).
std::string relative_uri(const std::string& from_uri, const std::string& to_uri);

}  // namespace hlsfs
